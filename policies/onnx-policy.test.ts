import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadArmDescription } from '../runtime/robot/index.js';
import { UserError } from '../runtime/errors.js';
import type { JointState } from '../runtime/messages/index.js';
import type { TickInfo } from '../runtime/loop/fixed-rate-loop.js';
import { parsePolicyContract } from './contract.js';
import { OnnxPolicy } from './onnx-policy.js';
import { PolicyCommandSource } from './policy-source.js';
import { EnvFeatureBuilder, type TaskObservation, type TaskObservationSource } from './features.js';
import { buildTinyPolicy, tinyPolicyReference, tinyPolicySpec } from './testing/tiny-policy-model.js';

const description = loadArmDescription();
const joints = description.commandJointNames;

async function tiny(spec = tinyPolicySpec(joints)) {
  const bytes = buildTinyPolicy(spec);
  return { spec, policy: await OnnxPolicy.create({ contract: parsePolicyContract(bytes, 'tiny.onnx', description), bytes }) };
}

test('runner: normalize, run, un-normalize gives the hand computation of the tiny model', async () => {
  const { spec, policy } = await tiny();
  try {
    for (const [k, offset] of [[0, 0.3], [1, -1.1], [2, 2.5]] as const) {
      const state = joints.map((_, i) => Math.sin(i + offset));
      const env = [0.45 + 0.1 * k, -0.2 * k];
      policy.state.set(state);
      policy.env.set(env);
      const chunk = await policy.run();
      const want = tinyPolicyReference(spec, state, env);
      assert.equal(chunk.length, 2 * joints.length);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(chunk[i] - want[i]) < 1e-5, `sample ${k} [${i}]: ${chunk[i]} vs ${want[i]}`);
    }
    assert.equal(policy.runs, 3);
    assert.equal(policy.executionProvider, 'cpu');
  } finally {
    await policy.dispose();
  }
});

test('runner: one run at a time, and the output buffer is reused', async () => {
  const { policy } = await tiny();
  try {
    const first = policy.run();
    assert.ok(policy.busy);
    await assert.rejects(policy.run(), /a run is already in flight/);
    const chunk = await first;
    assert.equal(policy.busy, false);
    assert.equal(await policy.run(), chunk, 'same Float64Array');
  } finally {
    await policy.dispose();
  }
});

test('runner: an execution provider that is not here is a UserError naming it', async () => {
  const bytes = buildTinyPolicy(tinyPolicySpec(joints));
  await assert.rejects(
    OnnxPolicy.create({ contract: parsePolicyContract(bytes, 'tiny.onnx', description), bytes }, { executionProviders: ['no-such-ep'] }),
    (e: unknown) => e instanceof UserError && /no execution provider could load .*tiny\.onnx: no-such-ep \(not in this onnxruntime-node build/.test(e.message),
  );
});

test('policy source: asks for a chunk, answers from the queue on later ticks, refuses a wrong rate', async () => {
  const { spec, policy } = await tiny();
  try {
    const task: TaskObservationSource = {
      name: 'fixed',
      read(_m: Float64Array, _s: JointState, out: TaskObservation): boolean {
        Object.assign(out, { valid: true, objectXM: 0.5, objectYM: -0.1, objectYawRad: 0, binXM: 0.3, binYM: 0.45 });
        return true;
      },
    };
    assert.throws(() => new PolicyCommandSource(policy, task, new EnvFeatureBuilder(spec.envFeatureNames, description), { rateHz: 50 }),
      /trained at 30 fps but the control loop runs at 50 Hz/);
    const source = new PolicyCommandSource(policy, task, new EnvFeatureBuilder(spec.envFeatureNames, description), { rateHz: 30, ensembleDecay: 0 });
    const measured = Float64Array.from([-0.34, -1.84, 1.97, 1.44, -1.57, -1.91, 0.04]);
    const state = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, name: joints, position: measured, velocity: new Float64Array(7), effort: new Float64Array(7) };
    const tick = (index: number): TickInfo => ({ index, scheduledNs: 0n, startedNs: 0n, periodS: 1 / 30, nominalPeriodS: 1 / 30 });
    assert.equal(source.next(measured, state, tick(0)), null, 'nothing to give before the first chunk lands');
    await new Promise((resolve) => setImmediate(resolve));
    const action = source.next(measured, state, tick(1));
    assert.ok(action);
    // Tick 1: the chunk from tick 0 (its 2nd action) and the one asked for now (not landed yet): only the first counts.
    const want = tinyPolicyReference(spec, measured, [0.5, -0.1]);
    for (let j = 0; j < joints.length; j++) assert.ok(Math.abs(action[j] - want[joints.length + j]) < 1e-5);
    assert.equal(source.counters.requests, 2);
    assert.equal(source.counters.starved, 1);
  } finally {
    await policy.dispose();
  }
});
