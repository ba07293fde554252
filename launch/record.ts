// `armstack record --source sim`: the sim stack with a scripted expert, recorded as demonstration episodes.
// The sim runs on sim time, as fast as rendering and encoding allow: each tick steps the world, runs the control
// pipeline (which publishes /joint_states and /arm_controller/joint_trajectory), renders each camera when its next
// frame is due and hands the frame to the recorder, then waits for room in the recorder's JPEG queue. Waiting is
// free on sim time, so no frame is dropped and the recording is the same every run of a seed.
//
// Several episodes (LeRobot's --num_episodes / --reset_time_s): episode k runs in a fresh world of seed + k (the
// sim's reset), which first settles for the reset period with the arm holding still, unrecorded.
import { UserError } from '../runtime/errors.js';
import { FixedRateLoop, type TickInfo } from '../runtime/loop/index.js';
import type { EpisodeMetadata } from '../runtime/recorder/episode-config.js';
import { EpisodeRecorder, type RecorderLogLevel } from '../runtime/recorder/episode-recorder.js';
import type { EpisodeSidecar } from '../runtime/recorder/episode-sidecar.js';
import { SceneRenderer } from '../sim/render/scene-renderer.js';
import { SimCamera } from '../sim/sim-camera.js';
import { resolveLaunchFile } from './commands/launch-command.js';
import { loadLaunchDescription, type LaunchDescription } from './launch-description.js';
import { pickPlaceExpertSource, towelExpertSource, type RecordingExpert } from './record/expert-sources.js';
import { resolveImageFormat } from './record/image-format.js';
import { planSimObject, type ObjectFlags, type SimObjectPlan } from './record/record-objects.js';
import { SimStack } from './sim-stack.js';

export const SIM_CAMERAS = ['overhead', 'wrist'] as const;

export interface RecordProgress {
  episode: number;
  episodes: number;
  phase: 'reset' | 'recording';
  simS: number;
  seconds: number;
  frames: number;
  dropped: number;
}

export interface RecordOptions {
  source: 'sim';
  task: string;
  /** A sim task: `towel` (the cloth, TowelExpert) or `box` (pick-and-place). */
  object: string;
  objectFlags?: ObjectFlags;
  /** Episode time limit, sim seconds. */
  seconds: number;
  /** Episodes to record (default 1). */
  episodes?: number;
  /** Sim seconds each fresh world settles, unrecorded, before its episode (default 0). */
  resetSeconds?: number;
  /** Keep recording after the expert finishes, up to the time limit (default: stop when it is done). */
  fullLength?: boolean;
  outDir: string;
  cameras: string[];
  /** `auto`: JPEG when OpenCV loads, else raw frames (said on the log). */
  format: 'jpeg' | 'raw' | 'auto';
  operator?: string;
  seed?: number;
  rateHz?: number;
  cameraFps?: number;
  jpegQuality?: number;
  /** The disk guard's floor (default: the recorder's, 256 MiB). */
  minFreeBytes?: number;
  /** Sim fault injection: these cameras deliver nothing in [fromS, toS) of each episode. */
  cameraDropouts?: CameraDropout[];
  log?: (line: string) => void;
  /** Aborting ends the episode early (incomplete, reason `shutdown`) and records no more. */
  signal?: AbortSignal;
  /** Called about twice a second of sim time. */
  progress?: (p: RecordProgress) => void;
}

export interface CameraDropout {
  camera: string;
  fromS: number;
  toS: number;
}

export interface RecordedEpisode {
  sidecar: EpisodeSidecar;
  mcapPath: string;
  wallS: number;
}

export interface RecordResult {
  episodes: RecordedEpisode[];
  format: 'jpeg' | 'raw';
}

export async function runRecord(o: RecordOptions): Promise<RecordResult> {
  const log = o.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  if (o.source !== 'sim') throw new UserError(`armstack record: --source ${o.source} is not supported yet (only sim)`);
  for (const c of o.cameras) {
    if (!(SIM_CAMERAS as readonly string[]).includes(c)) throw new UserError(`armstack record: unknown sim camera "${c}"; known: ${SIM_CAMERAS.join(', ')}`);
  }
  for (const d of o.cameraDropouts ?? []) {
    if (!o.cameras.includes(d.camera)) throw new UserError(`armstack record: --camera-dropout names "${d.camera}", which is not recorded (cameras: ${o.cameras.join(', ')})`);
  }
  const plan = planSimObject(o.object, o.objectFlags);
  const format = resolveImageFormat(o.format, log);
  const launch = loadLaunchDescription(resolveLaunchFile('sim'));
  const count = o.episodes ?? 1;
  const episodes: RecordedEpisode[] = [];
  for (let k = 0; k < count && !o.signal?.aborted; k++) {
    const seed = (o.seed ?? launch.sim.seed) + k;
    episodes.push(await recordOne(o, { launch, plan, format, seed, k, count, log }));
  }
  return { episodes, format };
}

interface EpisodePlan {
  launch: LaunchDescription;
  plan: SimObjectPlan;
  format: 'jpeg' | 'raw';
  seed: number;
  k: number;
  count: number;
  log: (line: string) => void;
}

async function recordOne(o: RecordOptions, p: EpisodePlan): Promise<RecordedEpisode> {
  const { launch, plan, log } = p;
  const rateHz = o.rateHz ?? launch.loop.rateHz;
  const stack = new SimStack(launch, { headless: true, fast: true, seed: p.seed, rateHz, log, ...plan.world });
  const expert: RecordingExpert = plan.expert === 'towel' ? towelExpertSource(stack.sim, rateHz) : pickPlaceExpertSource(stack.sim, rateHz);
  stack.pipeline.setSource(expert);
  const level = (l: RecorderLogLevel): string => (l === 'info' ? '' : `${l}: `);
  const recorder = new EpisodeRecorder(
    { outputDir: o.outDir, imageFormat: p.format, episodeTimeS: o.seconds, resetTimeS: 0, monitorIntervalMs: 0, jpegQuality: o.jpegQuality,
      ...(o.minFreeBytes === undefined ? {} : { minFreeBytes: o.minFreeBytes }) },
    { clock: stack.clock, node: stack.graph.createNode('recorder'), log: (l, line) => log(`[recorder] ${level(l)}${line}`) },
  );
  const world = stack.sim.world;
  const renderer = SceneRenderer.forWorld(world);
  const cameras = o.cameras.map((name) => (name === 'wrist' ? SimCamera.wrist : SimCamera.overhead)(world, { fps: o.cameraFps ?? 30, renderer }));
  const metadata: EpisodeMetadata = {
    task: o.task, operator: o.operator ?? 'scripted_expert', object: plan.metadata,
    extra: { source: 'sim', seed: String(p.seed), expert: plan.expert, reset_s: String(o.resetSeconds ?? 0) },
  };
  const wallStart = performance.now();
  let frames = 0;
  let nextProgressS = 0;
  const report = (phase: RecordProgress['phase'], simS: number): void => {
    if (!o.progress || simS < nextProgressS) return;
    nextProgressS = simS + 0.5;
    o.progress({ episode: p.k, episodes: p.count, phase, simS, seconds: phase === 'reset' ? o.resetSeconds ?? 0 : o.seconds, frames, dropped: recorder.status().dropsTotal });
  };
  await stack.sim.driver.configure();
  await stack.sim.driver.activate();
  try {
    // The reset: the fresh world settles (a dropped towel flattens) while the arm holds its activation pose.
    const resetS = o.resetSeconds ?? 0;
    const dt = 1 / rateHz;
    for (let t = 0; t < resetS - 1e-9 && !o.signal?.aborted; t += dt) {
      world.step(dt);
      report('reset', world.timeS);
      if (Math.round(t / dt) % 30 === 0) await new Promise((r) => setImmediate(r));
    }
    nextProgressS = 0;
    for (const c of cameras) {
      await c.connect();
      recorder.addCamera({ ...c.info });
    }
    const started = await recorder.start(metadata);
    const recordStartS = world.timeS;
    let doneAtS: number | undefined;
    const loop = new FixedRateLoop({ rateHz }, stack.clock, async (tick: TickInfo) => {
      if (tick.index > 0) world.step(tick.periodS);
      stack.pipeline.tick(tick);
      let captured = false;
      const recordedS = world.timeS - recordStartS;
      for (const c of cameras) {
        if (o.cameraDropouts?.some((d) => d.camera === c.info.name && recordedS >= d.fromS && recordedS < d.toS)) continue;
        // SimCamera renders when the sim reaches its next frame time; the recorder copies the frame at once.
        if (!c.poll(tick.startedNs)) continue;
        recorder.pushFrame(c.info.name, c.read()!);
        frames++;
        captured = true;
      }
      if (captured) await recorder.whenCapacity();
      recorder.poll();
      report('recording', world.timeS - recordStartS);
      // A short tail after the expert finishes shows the result settled (the towel lying in the bin).
      if (expert.done && !o.fullLength) doneAtS ??= world.timeS;
      const finished = doneAtS !== undefined && world.timeS - doneAtS >= 0.5;
      if (recorder.phase !== 'recording' || o.signal?.aborted || finished) void loop.stop();
    });
    await loop.start();
    if (recorder.phase === 'recording') {
      recorder.recordEvent('expert_finished', { expert: plan.expert, outcome: expert.outcome ?? null, done: expert.done });
      await (o.signal?.aborted ? recorder.close() : recorder.stop());
    }
    let sidecar = await recorder.whenStopped();
    // The expert knows whether the towel (or every box) ended in a bin: that is the demonstration's label.
    if (expert.outcome) sidecar = (await recorder.label(expert.outcome, `scripted ${plan.expert} expert: ${expert.outcome}`)) ?? sidecar;
    return { sidecar, mcapPath: started.mcapPath, wallS: (performance.now() - wallStart) / 1000 };
  } finally {
    await recorder.close();
    for (const c of cameras) await c.disconnect();
    await stack.close();
  }
}
