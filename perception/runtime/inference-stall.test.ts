// A stuck inference must not stall the arm's safety: the worker is made to hang for 1 s (as a native call that
// never returns would) while the real control pipeline runs at 30 Hz on the main thread. The action queue runs
// dry, no fresh commands arrive, and the main thread's CommandWatchdog (its own timer) holds the arm within its
// timeout, long before the worker comes back. The main thread itself stays responsive throughout: its event loop
// delay stays small and a WorkerWatchdog beside it never sees a stalled heartbeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InProcGraph } from '../../runtime/graph/index.js';
import { FixedRateLoop, WallClock } from '../../runtime/loop/index.js';
import { ControlPipeline } from '../../runtime/loop/control-pipeline.js';
import { loadArmDescription } from '../../runtime/robot/index.js';
import { CommandWatchdog, SafetyFilter, WorkerWatchdog } from '../../runtime/safety/index.js';
import { FakeCamera } from '../cameras/testing/fake-camera.js';
import { simLikePixels } from '../cameras/testing/frames.js';
import { InferenceWorker } from './inference-worker.js';
import { FakeArmDriver } from './testing/fake-arm.js';
import { WorkerPolicySource } from './worker-policy-source.js';

const READY = [0, -1.2, 1.8, -2.1, -1.57, 0, 0.02];
const ms = (ns: bigint): number => Number(ns) / 1e6;

test('inference stalled 1 s: the command watchdog holds the arm within its timeout; the main thread stays responsive', async (t) => {
  const description = loadArmDescription();
  const graph = new InProcGraph();
  const arm = new FakeArmDriver(description, READY);
  await arm.configure();
  await arm.activate();
  const safety = new SafetyFilter(description);
  let pipeline: ControlPipeline;
  const watchdog = new CommandWatchdog({ timeoutMs: 100 }, { hold: (reason) => pipeline.holdArm(reason) });
  pipeline = new ControlPipeline(graph.createNode('control'), arm, safety, watchdog);
  const mainStalls: string[] = [];
  // Far below the 1 s stall, far above what a machine shared with other test processes delays a tick.
  const heartbeat = await WorkerWatchdog.start({ timeoutMs: 500 }, { hold: (r) => mainStalls.push(r) });
  const worker = await InferenceWorker.start({ camera: { name: 'overhead', width: 640, height: 480 }, standIn: 'always' });
  const camera = new FakeCamera('overhead', 640, 480);
  await camera.connect();
  const source = new WorkerPolicySource(worker, camera, { rateHz: 30, gripperJointName: description.gripperJoint.name });
  pipeline.setSource(source);
  const pixels = simLikePixels(640, 480, 3);
  const clock = new WallClock();
  const loop = new FixedRateLoop({ rateHz: 30 }, clock, async (tick) => {
    heartbeat.beat();
    camera.push(pixels, clock.nowNs()); // what a camera would have captured this tick
    await source.prepare(arm.readCommandPositions(), arm.read(), tick);
    if (!heartbeat.pollBeforeWrite()) pipeline.tick(tick);
  });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  watchdog.start();
  const done = loop.start();
  try {
    // Normal running: chunks arrive and every tick writes a command.
    while (arm.writes.length < 20) await sleep(20);
    assert.ok(source.counters.chunks > 0);
    const holdsBefore = arm.holds.length;

    const stallStartNs = process.hrtime.bigint();
    worker.injectStall(1000);
    delay.enable();
    await sleep(1300);
    delay.disable();
    const stallEndNs = stallStartNs + 1_000_000_000n;

    const hold = arm.holds.slice(holdsBefore).find((h) => /watchdog: no fresh command/.test(h.reason));
    assert.ok(hold, `the watchdog held the arm; holds: ${JSON.stringify(arm.holds.map((h) => h.reason))}`);
    assert.ok(hold.atNs > stallStartNs && hold.atNs < stallEndNs,
      `held ${ms(hold.atNs - stallStartNs).toFixed(0)} ms into the 1000 ms stall, not after the worker came back`);
    const lastWrite = arm.writes.filter((w) => w.atNs < hold.atNs).at(-1)!;
    const staleMs = ms(hold.atNs - lastWrite.atNs);
    // timeout 100 ms + one 25 ms check period, plus slack for a machine shared with other test processes; a
    // watchdog stuck behind the worker would read ≥ 1000 ms.
    assert.ok(staleMs > 100 && staleMs < 400, `held ${staleMs.toFixed(1)} ms after the last fresh command (timeout 100 ms)`);
    assert.ok(source.counters.starved > 0, 'the queue ran dry while the worker was stuck');
    assert.ok(arm.writes.every((w) => w.atNs < hold.atNs || w.atNs > stallEndNs), 'no command was written while held and stalled');

    // The main thread was never stuck behind the worker: were it blocked, these would read ≥ 1000 ms.
    const maxDelayMs = delay.max / 1e6;
    assert.ok(maxDelayMs < 500, `event loop delay during the stall: max ${maxDelayMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
    t.diagnostic(`held ${staleMs.toFixed(1)} ms after the last command, ${ms(hold.atNs - stallStartNs).toFixed(0)} ms into the stall; ` +
      `event loop delay max ${maxDelayMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
    assert.deepEqual(mainStalls, [], 'the worker-thread heartbeat watchdog never saw the main thread stall');
    assert.equal(heartbeat.lastTrip, undefined);

    // The worker comes back: fresh chunks, fresh commands, the watchdog re-arms.
    const writesAfter = arm.writes.length;
    while (arm.writes.length < writesAfter + 5) await sleep(20);
    assert.equal(watchdog.state, 'armed');
  } finally {
    await loop.stop();
    await done;
    watchdog.stop();
    await heartbeat.stop();
    await worker.close();
    await graph.shutdown();
  }
});
