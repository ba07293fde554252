import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandSource } from '../runtime/loop/control-pipeline.js';
import type { TickInfo } from '../runtime/loop/fixed-rate-loop.js';
import type { JointState } from '../runtime/messages/index.js';
import type { TaskObservation, TaskObservationSource } from './features.js';
import { TargetScanSource } from './scan-source.js';

const tick = {} as TickInfo;
const state = {} as JointState;

/** A perception stand-in: judges one frame per read, sees the target once `visible()` says so. */
class ScriptedSight implements TaskObservationSource {
  readonly name = 'scripted_sight';
  framesJudged = 0;
  constructor(readonly visible: (measured: Float64Array) => boolean) {}
  read(measured: Float64Array, _state: JointState, out: TaskObservation): boolean {
    this.framesJudged++;
    if (this.visible(measured)) out.valid = true;
    return out.valid;
  }
}

class CountingPolicy implements CommandSource {
  readonly name = 'policy';
  calls = 0;
  readonly out = new Float64Array([9, 9, 9, 9, 9, 9, 0]);
  next(): Float64Array {
    this.calls++;
    return this.out;
  }
}

/** Runs the source against an arm that reaches every command at once. */
function drive(source: TargetScanSource, start: number[], ticks: number): { phases: string[]; path: Float64Array[] } {
  let measured = Float64Array.from(start);
  const phases: string[] = [], path: Float64Array[] = [];
  for (let i = 0; i < ticks; i++) {
    const cmd = source.next(measured, state, tick);
    phases.push(source.phase);
    if (cmd && source.phase !== 'act') measured = Float64Array.from(cmd);
    path.push(measured);
  }
  return { phases, path };
}

const scanQ = [1, -2, 1.8, 1.7, -1.5, -0.9];
const start = [0, -1.5, 1.5, -1.5, -1.5, 0, 0.04];

describe('TargetScanSource', () => {
  it('hands over at once when the target is seen from where the arm is', () => {
    const policy = new CountingPolicy();
    const source = new TargetScanSource(policy, new ScriptedSight(() => true), { scanQ, rateHz: 30 });
    const { phases } = drive(source, start, 3);
    assert.deepEqual(phases, ['act', 'act', 'act']);
    assert.equal(policy.calls, 3);
  });

  it('goes to the scan pose within the speed cap, looks, comes back to the ready pose, then hands over', () => {
    const policy = new CountingPolicy();
    // The target shows only from the scan pose itself.
    const atScan = (m: Float64Array): boolean => scanQ.every((v, j) => Math.abs(m[j] - v) < 1e-9);
    const source = new TargetScanSource(policy, new ScriptedSight(atScan), { scanQ, rateHz: 30, speedRadPerS: 0.9 });
    const { phases, path } = drive(source, start, 400);
    const order = phases.filter((p, i) => i === 0 || phases[i - 1] !== p);
    assert.deepEqual(order, ['look', 'to_scan', 'scan', 'to_ready', 'act']);
    for (let i = 1; i < path.length; i++) {
      for (let j = 0; j < 6; j++) assert.ok(Math.abs(path[i][j] - path[i - 1][j]) <= 0.9 / 30 + 1e-9, `tick ${i} joint ${j} stepped too far`);
      assert.equal(path[i][6], start[6], 'the gripper does not move');
    }
    const handover = phases.indexOf('act');
    assert.deepEqual(Array.from(path[handover - 1]).map((v) => +v.toFixed(6)), start, 'back at the ready pose before the policy runs');
    assert.ok(policy.calls > 0);
  });

  it('gives up scanning after scanTicks and hands over anyway (the policy holds while it sees nothing)', () => {
    const policy = new CountingPolicy();
    const source = new TargetScanSource(policy, new ScriptedSight(() => false), { scanQ, rateHz: 30, scanTicks: 10 });
    const { phases } = drive(source, start, 600);
    assert.equal(phases.at(-1), 'act');
    assert.ok(phases.includes('scan'));
  });
});
