// `armstack eval`: N randomized single pick-and-place episodes in the sim on the sim clock, each through the
// stack's own wiring (SimStack: safety filter, e-stop latch, watchdog, ControlPipeline, FixedRateLoop), with the
// command source swapped for the policy under test. Success: the target box rests in the target bin before the
// time limit. Episodes come from policies/episodes (the same distribution the demonstrations were drawn from,
// with evaluation's own seeds).
import { isAbsolute, join } from 'node:path';
import { UserError } from '../runtime/errors.js';
import { Kinematics, loadArmDescription, type ArmDescription } from '../runtime/robot/index.js';
import type { CommandSource } from '../runtime/loop/control-pipeline.js';
import type { TickInfo } from '../runtime/loop/fixed-rate-loop.js';
import type { JointState } from '../runtime/messages/index.js';
import { packageRoot } from '../runtime/package-root.js';
import { Random } from '../sim/random.js';
import type { World } from '../sim/world.js';
import { SingleTargetExpert } from '../policies/scripted/episode.js';
import { loadPolicy } from '../policies/contract.js';
import { OnnxPolicy, type ChunkPolicy, type OnnxPolicyOptions } from '../policies/onnx-policy.js';
import { PolicyCommandSource } from '../policies/policy-source.js';
import { TargetScanSource } from '../policies/scan-source.js';
import { scanPoseQ } from '../policies/scan-pose.js';
import { EnvFeatureBuilder, type TaskObservationSource } from '../policies/features.js';
import { drawEpisode, type EpisodeSpec } from '../policies/episodes/episode-spec.js';
import { DEFAULT_PERCEPTION_NOISE, OracleTaskObservation, type PerceptionNoiseConfig } from '../policies/episodes/oracle-observation.js';
import { VisionObservationFactory, type VisionObservationOptions } from '../policies/episodes/vision-observation.js';
import { loadLaunchDescription, type LaunchDescription } from './launch-description.js';
import { SimStack } from './sim-stack.js';

export type EvalFeatures = 'vision' | 'oracle';

export interface EvalOptions {
  /** "scripted" or a path to an ONNX policy. */
  policy: string;
  /** A policy already in memory (training scripts); overrides the file in `policy`, which then only names it. */
  chunkPolicy?: ChunkPolicy;
  episodes: number;
  seed: number;
  /** Where the policy's task observation comes from. Default vision for ONNX policies (ignored by scripted). */
  features?: EvalFeatures;
  /** Per-episode limit of sim time, s. Default 30. */
  timeLimitS?: number;
  /** Action queue: ACT's m and the refill threshold (defaults: 0.01 and the model's). */
  ensembleDecay?: number;
  refillThreshold?: number;
  /** Oracle noise (defaults mimic the vision model). */
  perceptionNoise?: Partial<PerceptionNoiseConfig>;
  onnx?: OnnxPolicyOptions;
  /** Vision features: localizer model, camera rate, pixel noise. */
  vision?: VisionObservationOptions;
  /** Default launch/sim.launch.yaml (arm, loop rate, safety settings). */
  launch?: LaunchDescription;
  /** After each episode. */
  onEpisode?: (result: EpisodeResult, done: number, total: number, successes: number) => void;
  /** Every tick of every episode, after the source answered (debugging, traces). */
  onTick?: (tick: EvalTick) => void;
  /** Warnings (e.g. a fallback), one line each. */
  log?: (line: string) => void;
}

export interface EvalTick {
  episode: number;
  world: World;
  targetIndex: number;
  bin: number;
  measured: Float64Array;
  state: JointState;
  /** The source's answer (before the safety filter), or null. */
  command: Float64Array | null;
}

export interface EpisodeResult {
  index: number;
  success: boolean;
  /** Sim time to success, or to the time limit. */
  timeS: number;
  /** Where the target box ended: 'bin N', 'table', 'held', 'floor'. */
  outcome: string;
  safetyRejects: number;
  safetyClamped: number;
  holds: number;
}

export interface EvalSummary {
  policy: string;
  features: EvalFeatures | 'privileged';
  seed: number;
  episodes: number;
  successes: number;
  successRate: number;
  meanEpisodeTimeS: number;
  meanSuccessTimeS: number;
  safetyRejects: number;
  safetyClamped: number;
  holds: number;
  wallTimeS: number;
  failures: { index: number; outcome: string }[];
}

export async function runEval(options: EvalOptions): Promise<EvalSummary> {
  const wallStart = performance.now();
  const launch = options.launch ?? loadLaunchDescription(join(packageRoot(), 'launch', 'sim.launch.yaml'));
  const urdf = isAbsolute(launch.robot.urdf) ? launch.robot.urdf : join(packageRoot(), launch.robot.urdf);
  const description = loadArmDescription(urdf);
  const kinematics = new Kinematics(description);
  const scripted = options.policy === 'scripted';
  let features: EvalFeatures | 'privileged' = 'privileged';
  let policy: ChunkPolicy | undefined;
  let session: OnnxPolicy | undefined;
  let vision: VisionObservationFactory | undefined;
  const noise: PerceptionNoiseConfig = { ...DEFAULT_PERCEPTION_NOISE, ...options.perceptionNoise };
  const timeLimitS = options.timeLimitS ?? 30;
  const results: EpisodeResult[] = [];
  let successes = 0;
  try {
    if (!scripted) {
      policy = options.chunkPolicy ?? (session = await OnnxPolicy.create(loadPolicy(options.policy, description), options.onnx));
      features = options.features ?? 'vision';
      const missing = features === 'vision' ? VisionObservationFactory.unavailable(options.vision) : undefined;
      if (missing) {
        if (options.features === 'vision') throw new UserError(`eval: --features vision: ${missing}; or use --features oracle`);
        options.log?.(`eval: vision features are not available (${missing}); using oracle features with vision-like noise`);
        features = 'oracle';
      }
      if (features === 'vision') vision = await VisionObservationFactory.create(options.vision, kinematics);
    }
    let scan: Float64Array | undefined;
    const scanQ = (): Float64Array => (scan ??= scanPoseQ(kinematics));
    const busy = (): boolean => Boolean(policy?.busy || vision?.busy);
    for (let i = 0; i < options.episodes; i++) {
      const spec = drawEpisode(options.seed, i, 'eval', kinematics);
      const r = await runEpisode(spec, launch, description, timeLimitS, options.onTick, (world, targetId) => {
        if (!policy) return new ScriptedSource(description, kinematics, world, targetId, spec);
        const task: TaskObservationSource = vision
          ? vision.forEpisode(world, targetId, spec.bin, spec.noiseSeed)
          : new OracleTaskObservation(world, targetId, spec.bin, new Random(spec.noiseSeed).fork(), noise);
        const names = policy.contract.envFeatureNames;
        const builder = names.length ? new EnvFeatureBuilder(names, description, kinematics) : undefined;
        const source = new PolicyCommandSource(policy, task, builder, {
          rateHz: launch.loop.rateHz, ensembleDecay: options.ensembleDecay, refillThreshold: options.refillThreshold,
        });
        // The camera cannot see through the arm: look from a clear pose first when the target is hidden.
        return vision ? new TargetScanSource(source, task, { scanQ: scanQ(), rateHz: launch.loop.rateHz }) : source;
      });
      // In-flight inferences land before the next episode's first tick.
      for (let k = 0; k < 1000 && busy(); k++) await new Promise((resolve) => setImmediate(resolve));
      results.push(r);
      if (r.success) successes++;
      options.onEpisode?.(r, i + 1, options.episodes, successes);
    }
  } finally {
    await session?.dispose();
    await vision?.release();
  }
  const mean = (xs: number[]): number => (xs.length ? round3(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
  const sum = (f: (r: EpisodeResult) => number): number => results.reduce((s, r) => s + f(r), 0);
  return {
    policy: options.policy,
    features,
    seed: options.seed,
    episodes: results.length,
    successes,
    successRate: results.length ? round3(successes / results.length) : 0,
    meanEpisodeTimeS: mean(results.map((r) => r.timeS)),
    meanSuccessTimeS: mean(results.filter((r) => r.success).map((r) => r.timeS)),
    safetyRejects: sum((r) => r.safetyRejects),
    safetyClamped: sum((r) => r.safetyClamped),
    holds: sum((r) => r.holds),
    wallTimeS: round3((performance.now() - wallStart) / 1000),
    failures: results.filter((r) => !r.success).map((r) => ({ index: r.index, outcome: r.outcome })),
  };
}

type SourceFactory = (world: World, targetId: string) => CommandSource;

async function runEpisode(
  spec: EpisodeSpec, launch: LaunchDescription, description: ArmDescription, timeLimitS: number,
  onTick: EvalOptions['onTick'], makeSource: SourceFactory,
): Promise<EpisodeResult> {
  const episodeLaunch: LaunchDescription = {
    ...launch,
    sim: { ...launch.sim, seed: spec.worldSeed, boxes: spec.boxes },
    dashboard: { ...launch.dashboard, enabled: false },
  };
  const stack = new SimStack(episodeLaunch, { headless: true, fast: true, durationS: timeLimitS, seed: spec.worldSeed, log: () => undefined });
  const { world, driver } = stack.sim;
  if (stack.sim.description.commandJointNames.join() !== description.commandJointNames.join()) {
    throw new Error('runEval: the stack loaded a different arm description');
  }
  world.dynamics.setPositions(spec.startPositions);
  const target = world.objects[spec.targetIndex];
  let successAtS: number | undefined;
  const inner = makeSource(world, target.id);
  const monitor: CommandSource = {
    name: inner.name,
    next(measured: Float64Array, state: JointState, tick: TickInfo): Float64Array | null {
      if (successAtS === undefined && target.state === 'resting' && target.inBin === spec.bin) {
        successAtS = world.timeS;
        void stack.stop('stopped');
        return null;
      }
      const command = inner.next(measured, state, tick);
      onTick?.({ episode: spec.index, world, targetIndex: spec.targetIndex, bin: spec.bin, measured, state, command });
      return command;
    },
  };
  stack.pipeline.setSource(monitor);
  try {
    await stack.start();
    await stack.done;
  } finally {
    await stack.close();
  }
  const c = stack.pipeline.counters;
  return {
    index: spec.index,
    success: successAtS !== undefined,
    timeS: round3(successAtS ?? world.timeS),
    outcome: target.state === 'held' ? 'held' : target.inBin > 0 ? `bin ${target.inBin}` : bottomOnTable(target.pose.position.z) ? 'table' : 'floor',
    safetyRejects: c.rejected,
    safetyClamped: c.clamped,
    holds: driver.holdCount,
  };
}

/** The privileged baseline: the scripted expert on the sim's true scene, one target. */
class ScriptedSource implements CommandSource {
  readonly name = 'scripted_expert';
  readonly #expert: SingleTargetExpert;
  readonly #world: World;

  constructor(description: ArmDescription, kinematics: Kinematics, world: World, targetId: string, spec: EpisodeSpec) {
    this.#world = world;
    this.#expert = new SingleTargetExpert(description, { targetId, bin: spec.bin }, { homeXyzM: spec.homeXyzM }, kinematics);
  }

  next(measured: Float64Array): Float64Array {
    return this.#expert.step(measured, this.#world.sceneState());
  }
}

function bottomOnTable(zM: number): boolean {
  return zM > -0.05;
}

function round3(x: number): number {
  return Math.round(x * 1e3) / 1e3;
}
