import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kinematics, loadArmDescription } from '../robot/index.js';
import { UserError } from '../errors.js';
import { EStopLatch } from './estop-latch.js';
import { SafetyFilter } from './safety-filter.js';
import type { SafetyEvent } from './safety-rules.js';
import { identityFk, mixedArm } from './testing/arms.js';

const DT = 1 / 30;
const arm6 = loadArmDescription();
const READY = [0, -1.2, 1.8, -2.1, -1.57, 0, 0.02];

function recorder(): { events: SafetyEvent[]; sink: (e: SafetyEvent) => void } {
  const events: SafetyEvent[] = [];
  return { events, sink: (e) => events.push({ ...e }) };
}

function cmdOf(values: number[], stampNs = 1n): { stampNs: bigint; positions: Float64Array } {
  return { stampNs, positions: Float64Array.from(values) };
}

test('SafetyFilter: a command at the measured state passes; the verdict object is reused', () => {
  const filter = new SafetyFilter(arm6, { workspace: null });
  const measured = Float64Array.from(READY);
  const a = filter.apply(cmdOf(READY), measured, DT);
  assert.equal(a.action, 'pass');
  assert.equal(a.rules, 0);
  const b = filter.apply(cmdOf(READY, 2n), measured, DT);
  assert.equal(a, b);
  assert.equal(b.command.stampNs, 2n);
});

test('SafetyFilter: clamps report the original and the safe value per joint and rule', () => {
  const { events, sink } = recorder();
  const filter = new SafetyFilter(arm6, { workspace: null }, { onEvent: sink });
  const measured = Float64Array.from(READY);
  filter.apply(cmdOf(READY), measured, DT);
  const wild = READY.slice();
  wild[2] = 2.85; // elbow, above its 2.7925 limit but within the out-of-range tolerance: trimmed, not refused
  const v = filter.apply(cmdOf(wild, 7n), measured, DT);
  assert.equal(v.action, 'clamped');
  assert.ok(v.has('position_limit') && v.has('acceleration_limit'), v.rulesList().join());
  // From rest, the elbow may gain a·dt of speed: 6 rad/s² over one tick.
  const expected = 1.8 + 6 * DT * DT;
  assert.ok(Math.abs(v.command.positions[2] - expected) < 1e-12);
  assert.deepEqual(events.map((e) => [e.rule, e.subject, e.original, e.action, e.stampNs]), [
    ['position_limit', 'elbow', 2.85, 'clamped', 7n],
    ['acceleration_limit', 'elbow', 2.85, 'clamped', 7n],
  ]);
  for (const e of events) assert.equal(e.safe, v.command.positions[2]);
});

test('SafetyFilter: the gripper reports gripper_limit', () => {
  const { events, sink } = recorder();
  const filter = new SafetyFilter(arm6, { workspace: null }, { onEvent: sink });
  filter.apply(cmdOf(READY), Float64Array.from(READY), DT);
  const v = filter.apply(cmdOf([...READY.slice(0, 6), 0.045]), Float64Array.from(READY), DT);
  assert.deepEqual(v.rulesList(), ['gripper_limit']);
  assert.ok(v.command.positions[6] <= 0.04 && v.command.positions[6] > 0.02);
  assert.equal(events[0].subject, 'gripper_finger_left');
  assert.equal(events[0].original, 0.045);
});

test('SafetyFilter: a command far outside a joint\'s limits is refused as out_of_range, not trimmed', () => {
  const { events, sink } = recorder();
  const filter = new SafetyFilter(arm6, { workspace: null }, { onEvent: sink });
  const measured = Float64Array.from(READY);
  filter.apply(cmdOf(READY), measured, DT);
  for (const [joint, value] of [[2, 10], [0, -40], [6, 0.5]] as const) {
    const wild = READY.slice();
    wild[joint] = value;
    const v = filter.apply(cmdOf(wild, 9n), measured, DT);
    assert.equal(v.action, 'reject', `joint ${joint} = ${value}`);
    assert.deepEqual(v.rulesList(), ['out_of_range']);
    assert.equal(events.at(-1)!.original, value);
    assert.equal(events.at(-1)!.jointIndex, joint);
  }
});

test('SafetyFilter: the first command after reset starts from the measured state', () => {
  const filter = new SafetyFilter(arm6, { workspace: null });
  filter.apply(cmdOf(READY), Float64Array.from(READY), DT);
  filter.reset();
  assert.equal(filter.seeded, false);
  const elsewhere = READY.map((q, i) => (i < 6 ? q + 0.3 : q));
  const v = filter.apply(cmdOf(READY.map((q) => q + 0.2)), Float64Array.from(elsewhere), DT);
  for (let i = 0; i < 6; i++) {
    const moved = Math.abs(v.command.positions[i] - elsewhere[i]);
    const a = arm6.armJoints[i].limits.maxAcceleration;
    assert.ok(moved <= a * DT * DT + 1e-12, `joint ${i} moved ${moved} from the measured state`);
  }
});

test('SafetyFilter: NaN/Inf and malformed input are rejected, keeping the last safe command', () => {
  const { events, sink } = recorder();
  const filter = new SafetyFilter(arm6, { workspace: null }, { onEvent: sink });
  const measured = Float64Array.from(READY);
  filter.apply(cmdOf(READY), measured, DT);
  const bad = READY.slice();
  bad[4] = NaN;
  const v = filter.apply(cmdOf(bad), measured, DT);
  assert.equal(v.action, 'reject');
  assert.equal(v.writable, false);
  assert.deepEqual(v.rulesList(), ['nan']);
  assert.deepEqual(Array.from(v.command.positions), READY);
  assert.equal(events.at(-1)!.subject, 'wrist_2');
  assert.equal(filter.seeded, false);
  assert.equal(filter.apply(cmdOf([...READY, 0]), measured, DT).rulesList()[0], 'malformed');
  assert.equal(filter.apply(cmdOf(READY), measured, 0).rulesList()[0], 'malformed');
  assert.equal(filter.apply(cmdOf(READY), measured, NaN).rulesList()[0], 'malformed');
  const badMeasured = Float64Array.from(READY);
  badMeasured[0] = Infinity;
  assert.equal(filter.apply(cmdOf(READY), badMeasured, DT).rulesList()[0], 'nan');
  assert.equal(filter.apply(cmdOf(READY), measured, DT).action, 'pass');
});

test('SafetyFilter: a command too far from the measured position is clamped, one it cannot reach is rejected', () => {
  const filter = new SafetyFilter(mixedArm(), { workspace: null, maxStepRad: 0.05 });
  const measured = Float64Array.from([0, 0, 0, 0.02]);
  filter.apply(cmdOf([0, 0, 0, 0.02]), measured, DT);
  // 'spin' (continuous, 3 rad/s) could move 0.1 rad this tick, but only 0.05 from where it is measured.
  let v = filter.apply(cmdOf([0, 1, 0, 0.02]), measured, DT);
  assert.deepEqual(v.rulesList(), ['max_step']);
  assert.ok(Math.abs(v.command.positions[1] - 0.05) < 1e-12);
  // The arm is reported 0.5 rad away from the command: no in-limit command is within reach of both.
  v = filter.apply(cmdOf([0, 0.05, 0, 0.02]), Float64Array.from([0, 0.6, 0, 0.02]), DT);
  assert.equal(v.action, 'reject');
  assert.deepEqual(v.rulesList(), ['max_step']);
});

test('SafetyFilter: the workspace box refuses a tool leaving it and lets a tool outside come back', () => {
  const { events, sink } = recorder();
  const workspace = { min: { x: -1, y: -10, z: -10 }, max: { x: 0.5, y: 10, z: 10 } };
  const filter = new SafetyFilter(mixedArm(), { workspace }, { kinematics: identityFk, onEvent: sink });
  const measured = Float64Array.from([0.45, 0, 0, 0.02]);
  assert.equal(filter.apply(cmdOf([0.45, 0, 0, 0.02]), measured, DT).action, 'pass');
  assert.equal(filter.apply(cmdOf([0.46, 0, 0, 0.02]), measured, DT).action, 'clamped'); // accel from rest
  const kept = Array.from(filter.apply(cmdOf([0.46, 0, 0, 0.02]), measured, DT).command.positions);
  const v = filter.apply(cmdOf([0.9, 0, 0, 0.02]), Float64Array.from(kept), 0.5);
  assert.equal(v.action, 'reject');
  assert.deepEqual(v.rulesList(), ['workspace']);
  assert.deepEqual(Array.from(v.command.positions), kept);
  const e = events.at(-1)!;
  assert.deepEqual([e.rule, e.subject, e.safe], ['workspace', 'tool.x', 0.5]);
  assert.ok(e.original > 0.5);

  // Powered up outside the box: moving back in is allowed, moving further out is not.
  const out = new SafetyFilter(mixedArm(), { workspace }, { kinematics: identityFk });
  const outside = Float64Array.from([0.8, 0, 0, 0.02]);
  assert.equal(out.apply(cmdOf([0.9, 0, 0, 0.02]), outside, DT).action, 'reject');
  const back = out.apply(cmdOf([0.7, 0, 0, 0.02]), outside, DT);
  assert.ok(back.writable && back.command.positions[0] < 0.8);
});

test('SafetyFilter: with the real arm6 kinematics the tool never goes into the table', () => {
  const kinematics = new Kinematics(arm6);
  const filter = new SafetyFilter(arm6, {}, { kinematics });
  const target = cmdOf([0, 0, 1.8, -2.1, -1.57, 0, 0.02]); // tool at z ≈ −0.06: below the table
  let measured = Float64Array.from(READY);
  let lastZ = Infinity, rejected = false;
  for (let tick = 0; tick < 300 && !rejected; tick++) {
    const v = filter.apply(target, measured, DT);
    if (v.action === 'reject') {
      rejected = true;
      assert.deepEqual(v.rulesList(), ['workspace']);
      assert.deepEqual(Array.from(v.command.positions), Array.from(measured));
    } else {
      measured = Float64Array.from(v.command.positions);
      lastZ = kinematics.fk(measured.subarray(0, 6)).position.z;
      assert.ok(lastZ >= 0.005, `tool at z=${lastZ}`);
    }
  }
  assert.ok(rejected, 'the walk towards the table must be refused');
  assert.ok(lastZ < 0.1, `refused early, at z=${lastZ}`);
});

test('SafetyFilter: while the e-stop is latched everything is estopped; after release it starts from measured', () => {
  const latch = new EStopLatch();
  const { events, sink } = recorder();
  const filter = new SafetyFilter(arm6, { workspace: null }, { estop: latch, onEvent: sink });
  const measured = Float64Array.from(READY);
  assert.equal(filter.apply(cmdOf(READY), measured, DT).action, 'pass');
  latch.trip('test', 'button');
  for (const values of [READY, READY.map(() => NaN)]) {
    const v = filter.apply(cmdOf(values), measured, DT);
    assert.equal(v.action, 'estopped');
    assert.deepEqual(v.rulesList(), ['estop']);
  }
  assert.equal(events.at(-1)!.rule, 'estop');
  assert.equal(latch.reset({ operator: 'sam', role: 'supervisor' }).ok, true);
  const moved = READY.map((q, i) => (i === 0 ? q + 0.1 : q));
  assert.equal(filter.apply(cmdOf(moved), Float64Array.from(moved), DT).action, 'pass');
  // A trip and release between two ticks still re-seeds.
  latch.trip('test', 'blip');
  latch.reset({ operator: 'sam', role: 'supervisor' });
  filter.apply(cmdOf(READY), measured, DT);
  assert.equal(filter.seeded, true);
});

test('SafetyFilter: config errors name the field', () => {
  assert.throws(() => new SafetyFilter(arm6, { maxStepFraction: 2 }), (e: unknown) => e instanceof UserError && /maxStepFraction/.test(e.message));
  assert.throws(
    () => new SafetyFilter(arm6, { workspace: { min: { x: 0, y: 0, z: 1 }, max: { x: 1, y: 1, z: 0 } } }),
    (e: unknown) => e instanceof UserError && /workspace\.min\.z/.test(e.message),
  );
  assert.throws(() => new SafetyFilter(arm6, { maxDtS: NaN }), /maxDtS/);
});
