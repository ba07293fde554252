// Faults on the hot path, with the real inference worker and the real control pipeline at 30 Hz on the wall
// clock (a stand-in only for the arm and the camera hardware):
// - a policy whose output is NaN, or far out of range: the safety filter rejects the command, the arm holds and
//   a safety event is raised;
// - a camera that stops delivering, then disconnects and comes back: the queue runs dry, the watchdog holds the
//   arm, and the loop resumes by itself once frames flow again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InProcGraph } from '../../runtime/graph/index.js';
import { FixedRateLoop, WallClock } from '../../runtime/loop/index.js';
import { ControlPipeline } from '../../runtime/loop/control-pipeline.js';
import { loadArmDescription } from '../../runtime/robot/index.js';
import { CommandWatchdog, SafetyFilter } from '../../runtime/safety/index.js';
import type { SafetyEvent } from '../../runtime/safety/safety-rules.js';
import { ENV_FEATURE_NAMES } from '../../policies/features.js';
import { buildTinyPolicy, tinyPolicySpec } from '../../policies/testing/tiny-policy-model.js';
import { FakeCamera } from '../cameras/testing/fake-camera.js';
import { simLikePixels } from '../cameras/testing/frames.js';
import { InferenceWorker } from './inference-worker.js';
import { FakeArmDriver } from './testing/fake-arm.js';
import { WorkerPolicySource } from './worker-policy-source.js';

const READY = [0, -1.2, 1.8, -2.1, -1.57, 0, 0.02];
const description = loadArmDescription();

interface Rig {
  arm: FakeArmDriver;
  camera: FakeCamera;
  source: WorkerPolicySource;
  pipeline: ControlPipeline;
  events: SafetyEvent[];
  /** Whether the loop pushes a camera frame each tick (a camera that stops delivering: false). */
  delivering: { on: boolean };
  close(): Promise<void>;
}

/** The hot path at 30 Hz with the given policy file (or the stand-in policy). */
async function rig(policyModelPath?: string): Promise<Rig> {
  const graph = new InProcGraph();
  const arm = new FakeArmDriver(description, READY);
  await arm.configure();
  await arm.activate();
  const events: SafetyEvent[] = [];
  const safety = new SafetyFilter(description, {}, { onEvent: (e) => events.push({ ...e }) });
  let pipeline: ControlPipeline;
  const watchdog = new CommandWatchdog({ timeoutMs: 100 }, { hold: (reason) => pipeline.holdArm(reason) });
  pipeline = new ControlPipeline(graph.createNode('control'), arm, safety, watchdog);
  const worker = await InferenceWorker.start({
    camera: { name: 'overhead', width: 640, height: 480 }, policyModelPath, standIn: policyModelPath ? 'if-missing' : 'always',
  }, { onError: () => undefined });
  const camera = new FakeCamera('overhead', 640, 480);
  await camera.connect();
  const source = new WorkerPolicySource(worker, camera, { rateHz: 30, gripperJointName: description.gripperJoint.name });
  pipeline.setSource(source);
  const pixels = simLikePixels(640, 480, 3);
  const clock = new WallClock();
  const delivering = { on: true };
  const loop = new FixedRateLoop({ rateHz: 30 }, clock, async (tick) => {
    if (delivering.on && camera.connected) camera.push(pixels, clock.nowNs());
    await source.prepare(arm.readCommandPositions(), arm.read(), tick);
    pipeline.tick(tick);
  });
  watchdog.start();
  const done = loop.start();
  return {
    arm, camera, source, pipeline, events, delivering,
    async close() {
      await loop.stop();
      await done;
      watchdog.stop();
      await worker.close();
      await graph.shutdown();
    },
  };
}

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

/** A tiny contract-valid policy whose chunk is NaN (or a constant) in one joint. */
function badPolicy(dir: string, name: string, value: number): string {
  const spec = tinyPolicySpec(description.commandJointNames, [...ENV_FEATURE_NAMES], 10);
  spec.metadata = { n_action_steps: '1' };
  spec.weights.fill(0);
  for (let k = 0; k < spec.chunk; k++) {
    for (let j = 0; j < READY.length; j++) {
      // Un-normalized action = bias·std + mean: aim at READY, except joint 1.
      const target = j === 1 ? value : READY[j];
      spec.bias[k * READY.length + j] = (target - spec.normalization.action.mean[j]) / spec.normalization.action.std[j];
    }
  }
  const path = join(dir, name);
  writeFileSync(path, buildTinyPolicy(spec));
  return path;
}

for (const [label, value, rule] of [['NaN', Number.NaN, 'nan'], ['out of range (40 rad)', 40, 'out_of_range']] as const) {
  test(`policy output ${label}: rejected by the safety filter, the arm holds, an event is raised`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'armstack-faults-'));
    const r = await rig(badPolicy(dir, 'bad.onnx', value));
    try {
      await until('a reject', () => r.pipeline.counters.rejected > 0);
      await until('a hold', () => r.arm.holds.length > 0);
      assert.equal(r.arm.writes.length, 0, 'nothing from the bad policy reached the arm');
      assert.match(r.arm.holds[0].reason, /safety filter rejected the command from worker-policy:bad\.onnx: (nan|out_of_range)/);
      const rejects = r.events.filter((e) => e.action === 'reject');
      assert.ok(rejects.length > 0, `a safety event was raised: ${JSON.stringify(r.events.slice(0, 3), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      if (rule) assert.equal(rejects[0].rule, rule);
      assert.equal(rejects[0].jointIndex === -1 || rejects[0].jointIndex === 1, true);
    } finally {
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('camera stops delivering, then disconnects and reconnects: the arm holds, then the loop resumes', async () => {
  const r = await rig();
  try {
    await until('commands flowing', () => r.arm.writes.length >= 10);

    r.delivering.on = false;
    const stopNs = process.hrtime.bigint();
    await until('a watchdog hold after the camera stopped', () => r.arm.holds.some((h) => h.atNs > stopNs && /watchdog/.test(h.reason)));
    assert.ok(r.source.counters.starved > 0, 'the action queue ran dry without frames');

    await r.camera.disconnect();
    await sleep(200);
    const writesWhileGone = r.arm.writes.length;
    await sleep(200);
    assert.equal(r.arm.writes.length, writesWhileGone, 'no command is written while the camera is gone');

    await r.camera.connect();
    r.delivering.on = true;
    await until('commands again after the camera came back', () => r.arm.writes.length >= writesWhileGone + 10);
  } finally {
    await r.close();
  }
});
