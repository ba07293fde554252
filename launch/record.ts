// `armstack record --source sim`: the sim stack with the scripted expert, recorded as one demonstration episode.
// The sim runs on sim time, as fast as rendering and encoding allow: each tick steps the world, runs the control
// pipeline (which publishes /joint_states and /arm_controller/joint_trajectory), renders each camera when its next
// frame is due and hands the frame to the recorder, then waits for room in the recorder's JPEG queue. Waiting is
// free on sim time, so no frame is dropped and the recording is the same every run of a seed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../runtime/errors.js';
import { FixedRateLoop, type TickInfo } from '../runtime/loop/index.js';
import { packageRoot } from '../runtime/package-root.js';
import type { EpisodeMetadata, ObjectMetadata } from '../runtime/recorder/episode-config.js';
import { EpisodeRecorder, type RecorderLogLevel } from '../runtime/recorder/episode-recorder.js';
import type { EpisodeSidecar } from '../runtime/recorder/episode-sidecar.js';
import { SceneRenderer } from '../sim/render/scene-renderer.js';
import { SimCamera } from '../sim/sim-camera.js';
import { resolveLaunchFile } from './commands/launch-command.js';
import { loadLaunchDescription } from './launch-description.js';
import { SimStack } from './sim-stack.js';

export const SIM_CAMERAS = ['overhead', 'wrist'] as const;

export interface RecordOptions {
  source: 'sim';
  task: string;
  /** `towel` (the cloth task when it exists), `box`, or any object name. */
  object: string;
  seconds: number;
  outDir: string;
  cameras: string[];
  format: 'jpeg' | 'raw';
  operator?: string;
  seed?: number;
  rateHz?: number;
  cameraFps?: number;
  jpegQuality?: number;
  log?: (line: string) => void;
  /** Aborting ends the episode early (incomplete, reason `shutdown`). */
  signal?: AbortSignal;
  /** Called about twice a second of sim time. */
  progress?: (p: { simS: number; seconds: number; frames: number; dropped: number }) => void;
}

export interface RecordResult {
  sidecar: EpisodeSidecar;
  mcapPath: string;
  wallS: number;
}

/** What the sim actually shows for a requested object: the towel task is not in this tree yet. */
export function simObject(requested: string, log: (line: string) => void): { object: ObjectMetadata; extra: Record<string, string> } {
  const towelTask = existsSync(join(packageRoot(), 'policies', 'scripted', 'towel'));
  if (requested === 'towel' && !towelTask) {
    log('armstack record: the towel task (policies/scripted/towel) is not available yet; recording the box pick-and-place expert');
  }
  if (requested === 'towel' && towelTask) {
    log('armstack record: policies/scripted/towel exists but is not wired into `record` yet; recording the box expert');
  }
  // The metadata names what was simulated, so a dataset never claims cloth it does not hold.
  const object: ObjectMetadata = { name: 'box', category: 'cardboard', material: 'sim rigid box', approxSizeM: [0.05, 0.05, 0.05] };
  return { object, extra: requested === 'box' ? {} : { requested_object: requested } };
}

export async function runRecord(o: RecordOptions): Promise<RecordResult> {
  const log = o.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  if (o.source !== 'sim') throw new UserError(`armstack record: --source ${o.source} is not supported yet (only sim)`);
  for (const c of o.cameras) {
    if (!(SIM_CAMERAS as readonly string[]).includes(c)) throw new UserError(`armstack record: unknown sim camera "${c}"; known: ${SIM_CAMERAS.join(', ')}`);
  }
  const launch = loadLaunchDescription(resolveLaunchFile('sim'));
  const stack = new SimStack(launch, { headless: true, fast: true, seed: o.seed, rateHz: o.rateHz, log });
  const { object, extra } = simObject(o.object, log);
  const level = (l: RecorderLogLevel): string => (l === 'info' ? '' : `${l}: `);
  const recorder = new EpisodeRecorder(
    { outputDir: o.outDir, imageFormat: o.format, episodeTimeS: o.seconds, resetTimeS: 0, monitorIntervalMs: 0, jpegQuality: o.jpegQuality },
    { clock: stack.clock, node: stack.graph.createNode('recorder'), log: (l, line) => log(`[recorder] ${level(l)}${line}`) },
  );
  const renderer = SceneRenderer.forWorld(stack.sim.world);
  const world = stack.sim.world;
  const cameras = o.cameras.map((name) => (name === 'wrist' ? SimCamera.wrist : SimCamera.overhead)(world, { fps: o.cameraFps ?? 30, renderer }));
  for (const c of cameras) {
    await c.connect();
    recorder.addCamera({ ...c.info });
  }
  const metadata: EpisodeMetadata = {
    task: o.task, operator: o.operator ?? 'scripted_expert', object,
    extra: { source: 'sim', seed: String(stack.seed), expert: 'pick_place', ...extra },
  };
  const wallStart = performance.now();
  let frames = 0;
  let nextProgressS = 0;
  await stack.sim.driver.configure();
  await stack.sim.driver.activate();
  try {
    const started = await recorder.start(metadata);
    const loop = new FixedRateLoop({ rateHz: o.rateHz ?? launch.loop.rateHz }, stack.clock, async (tick: TickInfo) => {
      if (tick.index > 0) stack.sim.world.step(tick.periodS);
      stack.pipeline.tick(tick);
      let captured = false;
      for (const c of cameras) {
        // SimCamera renders when the sim reaches its next frame time; the recorder copies the frame at once.
        if (!c.poll(tick.startedNs)) continue;
        recorder.pushFrame(c.info.name, c.read()!);
        frames++;
        captured = true;
      }
      if (captured) await recorder.whenCapacity();
      recorder.poll();
      const simS = stack.sim.world.timeS;
      if (o.progress && simS >= nextProgressS) {
        nextProgressS = simS + 0.5;
        o.progress({ simS, seconds: o.seconds, frames, dropped: recorder.status().dropsTotal });
      }
      if (recorder.phase !== 'recording' || o.signal?.aborted) void loop.stop();
    });
    await loop.start();
    if (recorder.phase === 'recording') await recorder.close();
    const sidecar = await recorder.whenStopped();
    return { sidecar, mcapPath: started.mcapPath, wallS: (performance.now() - wallStart) / 1000 };
  } finally {
    await recorder.close();
    for (const c of cameras) await c.disconnect();
    await stack.close();
  }
}
