// `armstack bench hotpath`: the perception-to-action hot path at 30 Hz on the wall clock — sim overhead camera
// 640×480 → inference worker (TS preprocess, vision model, features, policy) → action queue → safety filter →
// sim driver — for 60 s by default (`--seconds N`), after a 3 s warm-up. Prints one JSON line.
//
// e2e is capture stamp → command written, for every tick whose command came from a chunk computed on that tick's
// frame; infer is the two models alone (vision + policy run time in the worker). The sim camera stamps a frame
// when it starts rendering it, so e2e includes the render (captureP*Ms), which stands for a real camera's exposure
// and readout; overhead = e2e − infer − render is what the stack adds (copy into the shared slot, thread
// hand-offs, preprocessing, features, queue, safety filter).
// Targets: overheadP99Ms < 2, eventLoopDelayP99Ms < 5, heapGrowthMB < 5, no overruns.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InProcGraph } from '../runtime/graph/index.js';
import { FixedRateLoop, SampleWindow, WallClock, type TickInfo } from '../runtime/loop/index.js';
import { ControlPipeline } from '../runtime/loop/control-pipeline.js';
import { packageRoot } from '../runtime/package-root.js';
import { CommandWatchdog, SafetyFilter } from '../runtime/safety/index.js';
import { createSimWorld } from '../sim/sim-arm-driver.js';
import { InferenceWorker, WorkerPolicySource } from '../perception/runtime/index.js';
import { ThreadedSimCamera } from '../sim/threaded-sim-camera.js';
import { defaultLocalizerModelPath } from '../perception/models/object-localizer.js';
import type { Bench } from './benches.js';

export interface HotpathBenchResult {
  bench: 'hotpath';
  seconds: number;
  rateHz: number;
  ticks: number;
  /** Ticks whose command came from this tick's frame (the e2e samples). */
  samples: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  inferP50Ms: number;
  inferP99Ms: number;
  overheadP50Ms: number;
  overheadP99Ms: number;
  preprocessP50Ms: number;
  preprocessP99Ms: number;
  /**
   * Parts of e2e: capture → submitted (frame copy into the shared slot), submitted → worker starts (thread wake),
   * worker start → done (preprocess, models, features), worker done → command written (wake, queue, safety).
   */
  submitP50Ms: number;
  submitP99Ms: number;
  workerWakeP50Ms: number;
  workerWakeP99Ms: number;
  workerP50Ms: number;
  workerP99Ms: number;
  resultReturnP50Ms: number;
  resultReturnP99Ms: number;
  /** Rendering the sim frame: the sim's camera, not the stack (on the main thread; excluded from overhead). */
  captureP50Ms: number;
  captureP99Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  gcPauseMsTotal: number;
  gcCount: number;
  heapGrowthMB: number;
  /** Frames the worker got without a copy (the camera rendered into its slot). */
  zeroCopyFrames: number;
  overruns: number;
  waitTimeouts: number;
  droppedFrames: number;
  preprocess: 'ts' | 'opencv';
  executionProvider: string;
  visionModel: string;
  policyModel: string;
  standIn: boolean;
  notes: string[];
  cpuUserS: number;
  cpuSystemS: number;
}

const RATE_HZ = 30;
const WARMUP_S = 3;
export const SHIPPED_POLICY = join('policies', 'assets', 'pick-place-policy.onnx');

/** A full GC, for the heap figures only (outside the measured window): V8's gc() without --expose-gc. */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : 0);

export interface HotpathOptions {
  seconds?: number;
  log: (line: string) => void;
  /** Default: the shipped models (a stand-in replaces a missing one, and the result says so). */
  visionModelPath?: string;
  policyModelPath?: string;
}

export const hotpathBench: Bench<HotpathBenchResult> = {
  description: 'camera → inference worker → policy → safety → arm at 30 Hz (sim, shipped models), 60 s',
  run: (options) => runHotpath(options),
  format(r) {
    return JSON.stringify(r);
  },
};

export async function runHotpath({ seconds = 60, log, ...models }: HotpathOptions): Promise<HotpathBenchResult> {
  const root = packageRoot();
  const visionPath = models.visionModelPath ?? defaultLocalizerModelPath();
  const policyPath = models.policyModelPath ?? join(root, SHIPPED_POLICY);
  const gc = fullGc();
  const sim = createSimWorld({ seed: 1, boxes: 4 });
  const { world, driver, description, kinematics } = sim;
  const clock = new WallClock();
  const camera = ThreadedSimCamera.overhead(world, { fps: RATE_HZ });
  await camera.connect();
  log(`bench hotpath: starting the inference worker (vision ${existsSync(visionPath) ? visionPath : 'stand-in'}, policy ${existsSync(policyPath) ? policyPath : 'stand-in'})...`);
  const worker = await InferenceWorker.start({
    camera: { name: 'overhead', width: 640, height: 480 }, visionModelPath: visionPath, policyModelPath: policyPath, standIn: 'if-missing',
  }, { onError: (m) => log(`bench hotpath: worker: ${m}`) });
  const info = worker.info;
  const standIn = info.vision.standIn || info.policy.standIn;
  const notes = [...info.notes, 'camera: sim overhead 640×480, rendered on its own thread at the start of each tick (captureP*Ms: post, render, reply), like a real camera\'s exposure and readout'];
  if (standIn) notes.push('STAND-IN MODELS: latency figures are for stand-ins, not the shipped models');
  for (const n of notes) log(`bench hotpath: ${n}`);

  const graph = new InProcGraph();
  const safety = new SafetyFilter(description, {}, { kinematics });
  let pipeline: ControlPipeline | undefined;
  const watchdog = new CommandWatchdog({ timeoutMs: 100 }, { hold: (r) => pipeline?.holdArm(r) });
  pipeline = new ControlPipeline(graph.createNode('armstack'), driver, safety, watchdog);
  // A chunk every tick (refill threshold = chunk size): the worst case for load, and an e2e sample per tick.
  const source = new WorkerPolicySource(worker, camera, {
    rateHz: RATE_HZ, refillThreshold: info.policy.chunkSize, maxWaitMs: 20, clock, gripperJointName: description.gripperJoint.name,
  }, () => ({ binXM: world.bins[0].centerXM, binYM: world.bins[0].centerYM, targetClass: 0 }));
  pipeline.setSource(source);

  const e2e = new SampleWindow(), infer = new SampleWindow(), overhead = new SampleWindow(), pre = new SampleWindow(), capture = new SampleWindow();
  const wake = new SampleWindow(), back = new SampleWindow(), submit = new SampleWindow(), work = new SampleWindow();
  let measuring = false;
  const tickFn = async (tick: TickInfo): Promise<void> => {
    if (tick.index > 0) world.step(tick.periodS);
    const renderStartMonoNs = process.hrtime.bigint();
    // Rendered straight into the worker's next frame slot: the frame crosses to the worker without a copy.
    await camera.capture(clock.nowNs(), worker.frameSlot());
    const capturedMonoNs = process.hrtime.bigint();
    if (measuring) capture.push(Number(capturedMonoNs - renderStartMonoNs) / 1e6);
    await source.prepare(driver.readCommandPositions(), driver.read(), tick);
    const written = pipeline!.counters.written;
    pipeline!.tick(tick);
    const writtenNs = clock.nowNs();
    const writtenMonoNs = process.hrtime.bigint();
    const c = source.lastChunk;
    if (measuring && pipeline!.counters.written > written && c.startTick === tick.index) {
      const e2eMs = Number(writtenNs - c.frameStampNs) / 1e6;
      const inferMs = c.visionMs + c.policyMs;
      const renderMs = Number(capturedMonoNs - renderStartMonoNs) / 1e6;
      e2e.push(e2eMs);
      infer.push(inferMs);
      overhead.push(e2eMs - inferMs - renderMs);
      pre.push(c.preprocessMs);
      submit.push(Number(c.submittedNs - capturedMonoNs) / 1e6);
      wake.push(Number(c.startedNs - c.submittedNs) / 1e6);
      work.push(Number(c.doneNs - c.startedNs) / 1e6);
      back.push(Number(writtenMonoNs - c.doneNs) / 1e6);
    }
  };
  const loop = new FixedRateLoop({ rateHz: RATE_HZ }, clock, tickFn);
  const delay = monitorEventLoopDelay({ resolution: 2 });
  let gcMs = 0, gcCount = 0;
  const gcObserver = new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const e of list.getEntries()) { gcMs += e.duration; gcCount++; }
  });
  await driver.configure();
  await driver.activate();
  watchdog.start();
  const done = loop.start();
  let heapStart = 0, heapEnd = 0, droppedStart = 0, timeoutsStart = 0;
  const cpu0 = process.cpuUsage();
  try {
    log(`bench hotpath: warm-up ${WARMUP_S} s, then ${seconds} s at ${RATE_HZ} Hz...`);
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    gc();
    heapStart = process.memoryUsage().heapUsed;
    droppedStart = worker.stats.dropped;
    timeoutsStart = source.counters.waitTimeouts;
    loop.resetStats();
    gcObserver.observe({ entryTypes: ['gc'] });
    delay.enable();
    measuring = true;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    measuring = false;
    delay.disable();
  } finally {
    await loop.stop();
    await done.catch(() => undefined);
    gcObserver.disconnect();
    watchdog.stop();
    await worker.close();
    await graph.shutdown();
    await driver.deactivate();
    await camera.disconnect();
  }
  gc();
  heapEnd = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage(cpu0);
  const stats = loop.stats();
  return {
    bench: 'hotpath', seconds, rateHz: RATE_HZ, ticks: stats.ticks, samples: e2e.count,
    e2eP50Ms: round(e2e.percentile(50)), e2eP99Ms: round(e2e.percentile(99)),
    inferP50Ms: round(infer.percentile(50)), inferP99Ms: round(infer.percentile(99)),
    overheadP50Ms: round(overhead.percentile(50)), overheadP99Ms: round(overhead.percentile(99)),
    preprocessP50Ms: round(pre.percentile(50)), preprocessP99Ms: round(pre.percentile(99)),
    submitP50Ms: round(submit.percentile(50)), submitP99Ms: round(submit.percentile(99)),
    workerP50Ms: round(work.percentile(50)), workerP99Ms: round(work.percentile(99)),
    workerWakeP50Ms: round(wake.percentile(50)), workerWakeP99Ms: round(wake.percentile(99)),
    resultReturnP50Ms: round(back.percentile(50)), resultReturnP99Ms: round(back.percentile(99)),
    captureP50Ms: round(capture.percentile(50)), captureP99Ms: round(capture.percentile(99)),
    eventLoopDelayP99Ms: round(delay.percentile(99) / 1e6), eventLoopDelayMaxMs: round(delay.max / 1e6),
    gcPauseMsTotal: round(gcMs), gcCount,
    heapGrowthMB: round((heapEnd - heapStart) / (1024 * 1024)),
    overruns: stats.overruns,
    waitTimeouts: source.counters.waitTimeouts - timeoutsStart,
    droppedFrames: worker.stats.dropped - droppedStart,
    zeroCopyFrames: worker.zeroCopyFrames,
    preprocess: info.preprocess, executionProvider: info.executionProvider,
    visionModel: info.vision.source, policyModel: info.policy.source, standIn, notes,
    cpuUserS: round(cpu.user / 1e6), cpuSystemS: round(cpu.system / 1e6),
  };
}
