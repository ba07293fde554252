// The learned hot path inside the running stack (`armstack launch sim --policy FILE`): the sim's overhead camera
// renders on its own thread straight into the inference worker's frame slot; the worker runs preprocess, the
// vision model and the policy; the chunks feed the action queue that the control pipeline pops every tick, through
// the same safety filter as everything else. Inference is asynchronous (as LeRobot's async inference): a tick
// never waits for it, and a chunk that lands late is aligned to the ticks it was meant for.
//
// The goal is a list of box colours (the operator's "pick the red one"), each to a bin in turn. Whether a pick is
// over is judged from proprioception only: the gripper closed on something (neither open nor empty-shut) and later
// opened again, then a short settle; a target the policy has not finished within its time limit is given up.
import type { CommandSource } from '../runtime/loop/control-pipeline.js';
import type { TickInfo } from '../runtime/loop/fixed-rate-loop.js';
import type { Clock } from '../runtime/loop/clock.js';
import type { JointState } from '../runtime/messages/index.js';
import type { Kinematics } from '../runtime/robot/index.js';
import type { TaskObservation, TaskObservationSource } from '../policies/features.js';
import { TargetScanSource } from '../policies/scan-source.js';
import { readyPoseQ, scanPoseQ } from '../policies/scan-pose.js';
import { InferenceWorker } from '../perception/runtime/inference-worker.js';
import { defaultLocalizerModelPath } from '../perception/models/object-localizer.js';
import { WorkerPolicySource } from '../perception/runtime/worker-policy-source.js';
import { ThreadedSimCamera } from '../sim/threaded-sim-camera.js';
import type { SimArmDriver } from '../sim/sim-arm-driver.js';
import { ARM6_HOME_POSITIONS, type World } from '../sim/world.js';
import { UserError } from '../runtime/errors.js';

export interface StackPolicyOptions {
  policyPath: string;
  visionModelPath?: string;
  /** onnxruntime execution providers in order of preference (default cpu). */
  executionProviders?: string[];
  /** Action queue: ACT's m and the refill threshold (defaults 0.01 and the model's). */
  ensembleDecay?: number;
  refillThreshold?: number;
  urdfPath: string;
  world: World;
  driver: SimArmDriver;
  kinematics: Kinematics;
  gripperJointName: string;
  rateHz: number;
  clock: Pick<Clock, 'nowNs'>;
  /** Box colours to move, in order. Default: every box colour in the world. */
  targets?: string[];
  /**
   * Sim clock (--fast): each tick waits for its frame and chunk, so sim time does not run ahead of inference and
   * a run is as repeatable as the sim. Default false: wall clock, asynchronous inference.
   */
  synchronous?: boolean;
  /** Sim seconds (ticks/rate) allowed per target. Default 45. */
  targetTimeLimitS?: number;
  log: (line: string) => void;
}

type PickPhase = 'open' | 'closed' | 'released';

/** The scan wrapper's view of what the worker saw of the target. */
class WorkerSight implements TaskObservationSource {
  readonly name = 'worker_vision';
  constructor(readonly source: WorkerPolicySource) {}
  get framesJudged(): number {
    return this.source.target.frames;
  }
  read(_measured: Float64Array, _state: JointState, out: TaskObservation): boolean {
    const t = this.source.target;
    out.valid = t.seen;
    out.objectXM = t.xM;
    out.objectYM = t.yM;
    return t.seen;
  }
}

export class StackPolicy {
  /** The pipeline's command source: look/scan first, then the policy. */
  readonly source: CommandSource;
  readonly worker: InferenceWorker;
  readonly camera: ThreadedSimCamera;
  readonly policySource: WorkerPolicySource;
  /** Outcome per target, in order. */
  readonly results: { color: string; bin: number; outcome: 'released' | 'timeout' }[] = [];
  readonly #scan: TargetScanSource;
  readonly #o: StackPolicyOptions;
  readonly #targets: string[];
  readonly #classes: readonly string[];
  #index = 0;
  #phase: PickPhase = 'open';
  #phaseTicks = 0;
  #targetTicks = 0;
  #inFlight = false;
  readonly #readyQ: Float64Array;
  #holdQ: Float64Array | undefined;
  #closed = false;

  static async start(options: StackPolicyOptions): Promise<StackPolicy> {
    const camera = ThreadedSimCamera.overhead(options.world, { fps: options.rateHz });
    await camera.connect();
    let worker: InferenceWorker;
    try {
      worker = await InferenceWorker.start({
        camera: { name: camera.info.name, width: camera.info.width, height: camera.info.height },
        visionModelPath: options.visionModelPath ?? defaultLocalizerModelPath(),
        policyModelPath: options.policyPath, urdfPath: options.urdfPath, standIn: 'never',
        executionProviders: options.executionProviders,
      }, { onError: (m) => options.log(`[policy] worker: ${m}`) });
    } catch (error) {
      await camera.disconnect();
      throw new UserError(`launch --policy ${options.policyPath}: ${(error as Error).message}`);
    }
    try {
      return new StackPolicy(options, camera, worker);
    } catch (error) {
      await camera.disconnect();
      await worker.close();
      throw error;
    }
  }

  private constructor(options: StackPolicyOptions, camera: ThreadedSimCamera, worker: InferenceWorker) {
    this.#o = options;
    this.camera = camera;
    this.worker = worker;
    this.#classes = worker.info.vision.classes;
    const colors = options.targets ?? options.world.objects.filter((o) => this.#classes.includes(o.color)).map((o) => o.color);
    for (const c of colors) {
      if (!this.#classes.includes(c)) throw new UserError(`launch --policy: the vision model knows no colour "${c}" (it knows ${this.#classes.join(', ')})`);
    }
    this.#targets = colors;
    this.policySource = new WorkerPolicySource(worker, camera, {
      rateHz: options.rateHz, maxWaitMs: options.synchronous ? 10_000 : 0, gripperJointName: options.gripperJointName,
      ensembleDecay: options.ensembleDecay, refillThreshold: options.refillThreshold,
    }, () => this.#goal());
    this.#scan = new TargetScanSource(this.policySource, new WorkerSight(this.policySource), { scanQ: scanPoseQ(options.kinematics), rateHz: options.rateHz });
    this.#readyQ = readyPoseQ(options.kinematics, ARM6_HOME_POSITIONS);
    this.source = {
      name: this.policySource.name,
      // Every target done: hold where the arm came to rest.
      next: (measured: Float64Array, state: JointState, tick: TickInfo): Float64Array | null =>
        this.#done ? (this.#holdQ ??= Float64Array.from(measured)) : this.#scan.next(measured, state, tick),
    };
    for (const note of worker.info.notes) options.log(`[policy] ${note}`);
    options.log(`[policy] ${worker.info.policy.source} with ${worker.info.vision.source} on ${worker.info.executionProvider}; targets: ${colors.map((c, i) => `${c} → bin ${this.#binOf(i)}`).join(', ') || 'none'}`);
  }

  get #done(): boolean {
    return this.#index >= this.#targets.length;
  }

  /** The target now being moved, or undefined when all are done. */
  get currentTarget(): { color: string; bin: number } | undefined {
    return this.#done ? undefined : { color: this.#targets[this.#index], bin: this.#binOf(this.#index) };
  }

  /** Every target has been placed or given up. */
  get finished(): boolean {
    return this.#done;
  }

  get synchronous(): boolean {
    return this.#o.synchronous === true;
  }

  /**
   * Every tick, after physics and before the pipeline: capture a frame into the worker's slot and submit it with
   * the measured state. On the wall clock neither is awaited (one capture in flight at a time); synchronous, the
   * returned promise settles once this tick's chunk is in the queue.
   */
  beforeTick(tick: TickInfo): Promise<void> | undefined {
    if (this.#closed || this.#done) return undefined;
    this.#advance();
    if (this.synchronous) {
      const { driver } = this.#o;
      return this.camera.capture(this.#o.clock.nowNs(), this.worker.frameSlot())
        .then(() => this.policySource.prepare(driver.readCommandPositions(), driver.read(), tick));
    }
    if (this.#inFlight) return undefined;
    this.#inFlight = true;
    const { driver } = this.#o;
    this.camera.capture(this.#o.clock.nowNs(), this.worker.frameSlot()).then(
      () => this.policySource.prepare(driver.readCommandPositions(), driver.read(), tick),
      (error: Error) => { if (!this.#closed) this.#o.log(`[policy] camera: ${error.message}`); },
    ).finally(() => { this.#inFlight = false; });
    return undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.camera.disconnect();
    await this.worker.close();
  }

  #binOf(i: number): number {
    return 1 + (i % this.#o.world.bins.length);
  }

  #goal(): { binXM: number; binYM: number; targetClass: number } | undefined {
    const t = this.currentTarget;
    if (!t) return undefined;
    const bin = this.#o.world.bins.find((b) => b.number === t.bin)!;
    return { binXM: bin.centerXM, binYM: bin.centerYM, targetClass: this.#classes.indexOf(t.color) };
  }

  /** Pick bookkeeping from the gripper's measured opening: open → closed on something → released → next. */
  #advance(): void {
    const opening = this.#o.driver.readCommandPositions().at(-1)!;
    this.#phaseTicks++;
    this.#targetTicks++;
    const settleTicks = Math.round(1.5 * this.#o.rateHz);
    if (this.#phase === 'open' && opening < 0.032 && opening > 0.004) this.#enter('closed');
    else if (this.#phase === 'closed' && opening >= 0.036 && this.#phaseTicks > this.#o.rateHz / 2) this.#enter('released');
    else if (this.#phase === 'closed' && opening <= 0.004) this.#enter('open');
    if (this.#phase === 'released' && this.#phaseTicks > settleTicks) this.#next('released');
    else if (this.#targetTicks > (this.#o.targetTimeLimitS ?? 45) * this.#o.rateHz) this.#next('timeout');
  }

  #next(outcome: 'released' | 'timeout'): void {
    const t = this.currentTarget!;
    this.results.push({ ...t, outcome });
    this.#o.log(`[policy] ${t.color} → bin ${t.bin}: ${outcome === 'released' ? 'placed (gripper released)' : `gave up after ${this.#o.targetTimeLimitS ?? 45} s`}`);
    this.#index++;
    this.#enter('open');
    this.#targetTicks = 0;
    this.policySource.reset();
    // The policy starts well from the poses it was trained from: go back to one first.
    this.#scan.restart(this.#readyQ);
    if (this.#done) this.#o.log('[policy] every target done; holding');
  }

  #enter(phase: PickPhase): void {
    this.#phase = phase;
    this.#phaseTicks = 0;
  }
}
