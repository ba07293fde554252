// `armstack bench recorder`: the episode recorder under a full load for `--seconds` (default 60): three cameras at
// 640x480 and 30 fps recorded as JPEG, plus joint states at 500 Hz through the in-process graph, on the wall clock.
// Targets: droppedFrames = 0 and cpuShare < 0.5 (recorder CPU time, all threads, over wall time).
//
// The frames are synthetic: a gradient that moves one way per camera with baked-in sensor noise, in bgr8 as
// OpenCV cameras deliver it. The sim camera cannot stand in: it renders on the main thread (10-20 ms a frame),
// which is more than the three cameras' whole frame budget. Producing a frame is two row copies; that time is
// measured and taken out of cpuShare.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import type { Frame } from '../perception/cameras/camera.js';
import { openCvAvailable } from '../perception/cameras/opencv-loader.js';
import { UserError } from '../runtime/errors.js';
import { InProcGraph } from '../runtime/graph/index.js';
import { MsgTypes, timeFromNs, type JointState } from '../runtime/messages/index.js';
import { EpisodeRecorder } from '../runtime/recorder/episode-recorder.js';
import type { Bench } from './benches.js';

export interface RecorderBenchResult {
  bench: 'recorder';
  seconds: number;
  cameras: number;
  width: number;
  height: number;
  fps: number;
  jointStateHz: number;
  framesProduced: number;
  framesWritten: number;
  droppedFrames: number;
  jointStatesWritten: number;
  writeMBps: number;
  mbPerMinute: number;
  /** Recorder CPU (main thread + libuv encoder threads) over wall time; 1.0 = one core busy. */
  cpuShare: number;
  /** Event-loop delay while recording (what a control loop on this thread would see), ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Longest garbage-collection pause while recording, ms. */
  gcMaxMs: number;
  /** Average JPEG size, KB. */
  jpegKB: number;
  frameSource: 'synthetic';
}

const W = 640, H = 480, FPS = 30, CAMERAS = 3, JOINT_HZ = 500;

/** A moving noisy gradient: a texture twice the frame width, copied row by row at a moving offset. */
class SyntheticCamera {
  readonly #textures: Uint8Array[];
  readonly #frames: [Uint8Array, Uint8Array];
  #seq = 0;

  constructor(readonly name: string, seed: number) {
    let x = (seed * 2654435761) >>> 0 || 1;
    const noise = (): number => {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      return ((x >>> 0) % 17) - 8;
    };
    this.#textures = Array.from({ length: 4 }, () => {
      const t = new Uint8Array(2 * W * H * 3);
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < 2 * W; c++) {
          const o = (r * 2 * W + c) * 3;
          const g = Math.round(128 + 100 * Math.sin((c / (2 * W)) * 4 * Math.PI + seed) * Math.cos((r / H) * Math.PI));
          t[o] = clamp(g + noise());
          t[o + 1] = clamp(((c + r + seed * 40) & 255) + noise());
          t[o + 2] = clamp(255 - g + noise());
        }
      }
      return t;
    });
    this.#frames = [new Uint8Array(W * H * 3), new Uint8Array(W * H * 3)];
  }

  next(stampNs: bigint): Frame {
    const data = this.#frames[this.#seq & 1];
    const texture = this.#textures[this.#seq & 3];
    const shift = (this.#seq * 4) % W;
    for (let r = 0; r < H; r++) {
      const from = (r * 2 * W + shift) * 3;
      data.set(texture.subarray(from, from + W * 3), r * W * 3);
    }
    return { stampNs, seq: ++this.#seq, width: W, height: H, encoding: 'bgr8', data };
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

export async function runRecorderBench(seconds: number, log: (line: string) => void): Promise<RecorderBenchResult> {
  const cv = openCvAvailable();
  if (!cv.ok) throw new UserError(`bench recorder: JPEG encoding needs OpenCV: ${cv.reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'armstack-recorder-bench-'));
  const clock = { nowNs: () => process.hrtime.bigint() };
  const graph = new InProcGraph();
  const node = graph.createNode('recorder_bench');
  const joints = node.createPublisher<JointState>(MsgTypes.JointState, '/joint_states');
  const recorder = new EpisodeRecorder(
    { outputDir: dir, imageFormat: 'jpeg', jpegQuality: 85, episodeTimeS: seconds + 30, resetTimeS: 0, minFreeBytes: 64 * 1024 * 1024 },
    { clock, node, log: (level, line) => level !== 'info' && log(`[recorder] ${level}: ${line}`) },
  );
  const cameras = Array.from({ length: CAMERAS }, (_, i) => new SyntheticCamera(['overhead', 'wrist', 'side'][i], i + 1));
  for (const c of cameras) recorder.addCamera({ name: c.name, width: W, height: H, fps: FPS, encoding: 'bgr8' });
  const state: JointState = {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'base_link' },
    name: ['shoulder_pan', 'shoulder_lift', 'elbow', 'wrist_1', 'wrist_2', 'wrist_3', 'gripper_finger_left'],
    position: new Float64Array(7), velocity: new Float64Array(7), effort: new Float64Array(7),
  };
  try {
    await recorder.start({ task: 'recorder benchmark', operator: 'bench', object: { name: 'none', category: 'rigid' } });
    log(`bench recorder: ${CAMERAS} cameras ${W}x${H} @ ${FPS} fps JPEG + joint states @ ${JOINT_HZ} Hz for ${seconds} s (synthetic frames) into ${dir}`);
    const startNs = clock.nowNs();
    const cpu0 = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    let gcMaxMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    let produceMs = 0;
    let framesProduced = 0;
    let jointSeq = 0;
    const framePeriodNs = BigInt(Math.round(1e9 / FPS));
    const jointPeriodNs = BigInt(Math.round(1e9 / JOINT_HZ));
    let nextFrameNs = startNs;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = clock.nowNs();
        // Joint states: every one that is due (a 500 Hz source keeps its rate even when timers run late).
        const due = Number((now - startNs) / jointPeriodNs);
        for (; jointSeq <= due; jointSeq++) {
          const stamp = startNs + BigInt(jointSeq) * jointPeriodNs;
          timeFromNs(stamp, state.header.stamp);
          (state.position as Float64Array)[0] = Math.sin(jointSeq / 500);
          joints.publish({ ...state, header: { stamp: { ...state.header.stamp }, frame_id: state.header.frame_id } });
        }
        // Cameras: every frame due, stamped at its frame time, so a late timer on this loaded machine shows up as a
        // burst the recorder's queues must absorb rather than as frames the camera never made.
        while (now >= nextFrameNs) {
          for (const c of cameras) {
            const t0 = performance.now();
            const frame = c.next(nextFrameNs);
            produceMs += performance.now() - t0;
            recorder.pushFrame(c.name, frame);
            framesProduced++;
          }
          nextFrameNs += framePeriodNs;
        }
        if (now - startNs >= BigInt(Math.round(seconds * 1e9))) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    loopDelay.disable();
    gc.disconnect();
    const sidecar = await recorder.stop();
    const cpu = process.cpuUsage(cpu0);
    const wallS = Number(clock.nowNs() - startNs) / 1e9;
    const camerasReport = sidecar.streams.filter((s) => s.role === 'camera');
    const framesWritten = camerasReport.reduce((n, s) => n + s.written, 0);
    const bytes = sidecar.mcap.bytes;
    const cpuMs = (cpu.user + cpu.system) / 1000 - produceMs;
    return {
      bench: 'recorder', seconds: round(wallS, 2), cameras: CAMERAS, width: W, height: H, fps: FPS, jointStateHz: JOINT_HZ,
      framesProduced, framesWritten, droppedFrames: camerasReport.reduce((n, s) => n + s.dropped, 0),
      jointStatesWritten: sidecar.streams.find((s) => s.topic === '/joint_states')?.written ?? 0,
      writeMBps: round(bytes / 1e6 / wallS, 2), mbPerMinute: round((bytes / 1e6 / wallS) * 60, 1),
      cpuShare: round(cpuMs / 1000 / wallS, 3),
      loopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1), loopDelayMaxMs: round(loopDelay.max / 1e6, 1), gcMaxMs: round(gcMaxMs, 1), jpegKB: round(bytes / 1000 / Math.max(1, framesWritten), 1), frameSource: 'synthetic',
    };
  } finally {
    await recorder.close();
    await graph.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const recorderBench: Bench<RecorderBenchResult> = {
  description: 'episode recorder: 3 cameras 640x480@30 JPEG + joint states @500 Hz; drops, MB/s and CPU share',
  run: ({ seconds, log }) => runRecorderBench(seconds ?? 60, log),
  format: (r) => [
    `recorder: ${r.cameras} x ${r.width}x${r.height} @ ${r.fps} fps JPEG + joint states @ ${r.jointStateHz} Hz, ${r.seconds} s (${r.frameSource} frames)`,
    `  frames produced ${r.framesProduced}, written ${r.framesWritten}, dropped ${r.droppedFrames} (target 0)`,
    `  joint states written ${r.jointStatesWritten}`,
    `  write ${r.writeMBps} MB/s = ${r.mbPerMinute} MB/min, ~${r.jpegKB} KB per frame`,
    `  CPU share ${r.cpuShare} (target < 0.5); event-loop delay p99 ${r.loopDelayP99Ms} ms, max ${r.loopDelayMaxMs} ms; GC pause max ${r.gcMaxMs} ms`,
  ].join('\n'),
};
