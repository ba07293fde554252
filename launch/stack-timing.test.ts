import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcGraph } from '../runtime/graph/index.js';
import { MsgTypes, timeFromNs, type JointState, type JointTrajectory } from '../runtime/messages/index.js';
import { RollingWindow, StackTiming } from './stack-timing.js';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
}

describe('StackTiming', () => {
  it('RollingWindow keeps the newest samples', () => {
    const w = new RollingWindow(4);
    assert.ok(Number.isNaN(w.percentile(50)));
    for (const v of [100, 100, 100, 1, 2, 3, 4]) w.push(v);
    assert.equal(w.count, 4);
    assert.equal(w.percentile(99), 4, 'the old 100s fell out');
    assert.equal(w.percentile(50), 2);
  });

  it('jitter from consecutive joint-state stamps, latency from command stamps to delivery', async () => {
    const graph = new InProcGraph();
    const node = graph.createNode('robot');
    const js = node.createPublisher<JointState>(MsgTypes.JointState, '/joint_states');
    const tr = node.createPublisher<JointTrajectory>(MsgTypes.JointTrajectory, '/arm_controller/joint_trajectory');
    let now = 0n;
    const timing = new StackTiming(graph.createNode('tap'), 0.1, () => now, 10);
    // Periods of 100, 102, 97 ms against a nominal 100 ms.
    for (const ms of [0, 100, 202, 299]) {
      js.publish({ header: { stamp: timeFromNs(BigInt(ms) * 1_000_000n), frame_id: '' }, name: ['a'], position: [0], velocity: [], effort: [] });
    }
    await until(() => timing.jitterMs.count === 3);
    assert.equal(timing.jitterMs.percentile(99).toFixed(3), '3.000');
    assert.equal(timing.jitterMs.percentile(50).toFixed(3), '2.000');
    now = 5_000_000_000n;
    tr.publish({ header: { stamp: timeFromNs(4_990_000_000n), frame_id: '' }, joint_names: ['a'], points: [] });
    await until(() => timing.latencyMs.count === 1);
    assert.equal(timing.latencyMs.percentile(50), 10);
    timing.close();
    await graph.shutdown();
  });
});
