import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INFEASIBLE, jointLimitTable, limitJoint, type JointMotion } from './joint-limiter.js';
import { DEFAULT_SAFETY_FILTER_CONFIG } from './safety-config.js';
import { ruleBit } from './safety-rules.js';
import { mixedArm } from './testing/arms.js';

function motion(dof: number, dtS: number): JointMotion {
  return { prev: new Float64Array(dof), prevVel: new Float64Array(dof), next: new Float64Array(dof), nextVel: new Float64Array(dof), scalars: new Float64Array([dtS]) };
}

test('limitJoint: a joint driven into its limit brakes in time and stops on it', () => {
  const table = jointLimitTable(mixedArm(), { ...DEFAULT_SAFETY_FILTER_CONFIG, maxStepFraction: 1, maxStepRad: 6 });
  const dt = 1 / 30;
  const m = motion(4, dt);
  const cmd = Float64Array.from([50, 0, 0, 0]); // joint 0: [-2, 1] rad, 2 rad/s, 5 rad/s²
  const rules = new Set<number>();
  for (let tick = 0; tick < 120; tick++) {
    const fired = limitJoint(table, m, 0, cmd, m.prev);
    assert.notEqual(fired, INFEASIBLE);
    rules.add(fired);
    const q = m.next[0], v = m.nextVel[0];
    assert.ok(q <= 1, `tick ${tick}: ${q} past the limit`);
    assert.ok(Math.abs(v) <= 2 + 1e-12 && Math.abs(v - m.prevVel[0]) <= 5 * dt + 1e-9, `tick ${tick}: v ${v}`);
    m.prev[0] = q;
    m.prevVel[0] = v;
  }
  assert.ok(Math.abs(m.prev[0] - 1) < 1e-3 && Math.abs(m.prevVel[0]) < 0.2, `ended at ${m.prev[0]}, ${m.prevVel[0]} rad/s`);
  const pos = ruleBit('position_limit');
  assert.ok(rules.has(pos | ruleBit('acceleration_limit')) && rules.has(pos | ruleBit('velocity_limit')), [...rules].join());
});

test('limitJoint: in-limit commands pass bit-exact; a step window it cannot reach is INFEASIBLE', () => {
  const table = jointLimitTable(mixedArm(), DEFAULT_SAFETY_FILTER_CONFIG);
  const m = motion(4, 0.1);
  const cmd = Float64Array.from([0.1, 0.1, 0.05, 0.001]);
  const measured = new Float64Array(4);
  assert.equal(limitJoint(table, m, 1, cmd, measured), 0);
  assert.equal(m.next[1], 0.1);
  measured[1] = 2; // 'spin' reported 2 rad away, its step is 0.5 rad: unreachable at 3 rad/s in 0.1 s
  assert.equal(limitJoint(table, m, 1, cmd, measured), INFEASIBLE);
});

test('jointLimitTable: a bad URDF limit is a UserError naming the joint', () => {
  const arm = mixedArm();
  arm.armJoints[2].limits.maxVelocity = 0;
  assert.throws(() => jointLimitTable(arm, DEFAULT_SAFETY_FILTER_CONFIG), /joint 'noaccel' has velocity limit 0/);
});
