import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArmDynamics, stoppableSpeed } from './arm-dynamics.js';
import { Random } from './random.js';
import type { ArmDescription, JointSpec } from '../runtime/robot/arm-description.js';

// A hand-made description so these tests do not depend on the URDF: 3 rotary joints and a finger.
function joint(name: string, type: JointSpec['type'], lower: number, upper: number, vel: number, acc: number): JointSpec {
  return {
    name, type, parent: 'a', child: 'b', originXyz: [0, 0, 0], originRpy: [0, 0, 0], axis: [0, 0, 1],
    limits: {
      hasPositionLimits: true, lower, upper, hasVelocityLimits: true, maxVelocity: vel,
      hasAccelerationLimits: true, maxAcceleration: acc, hasEffortLimits: true, maxEffort: 100,
    },
  };
}
const joints = [
  joint('j1', 'revolute', -3, 3, 2.0, 6.0),
  joint('j2', 'revolute', -2, 2, 1.5, 3.0),
  joint('j3', 'revolute', -3, 3, 3.0, 10.0),
  joint('finger', 'prismatic', 0, 0.04, 0.05, 0.5),
];
const description: ArmDescription = {
  name: 'test', source: 'arm-dynamics.test.ts', baseLink: 'base', toolLink: 'tcp', joints,
  armJoints: joints.slice(0, 3), gripperJoint: joints[3], commandJointNames: joints.map((j) => j.name),
};

function assertWithinLimits(d: ArmDynamics, where: string): void {
  for (let i = 0; i < d.dof; i++) {
    assert.ok(Math.abs(d.velocity[i]) <= d.maxVelocity[i] * (1 + 1e-9), `${where}: joint ${i} velocity ${d.velocity[i]}`);
    assert.ok(Math.abs(d.acceleration[i]) <= d.maxAcceleration[i] * (1 + 1e-6), `${where}: joint ${i} acc ${d.acceleration[i]}`);
    assert.ok(d.position[i] >= d.lower[i] - 1e-9 && d.position[i] <= d.upper[i] + 1e-9, `${where}: joint ${i} position`);
  }
}

test('stoppableSpeed lands exactly in one step when close and brakes in time when far', () => {
  const a = 5, dt = 0.001;
  assert.ok(Math.abs(stoppableSpeed(1e-7, a, dt) - 1e-4) < 1e-12);
  const v = stoppableSpeed(0.1, a, dt);
  assert.ok(Math.abs(v - Math.sqrt(2 * a * 0.1)) < 0.01, `${v}`);
});

test('never exceeds velocity or acceleration limits over random target sequences', () => {
  const d = new ArmDynamics(description, { servoRateHz: 1000 });
  const rng = new Random(7);
  const q = new Float64Array(d.dof);
  let peakV = 0;
  for (let k = 0; k < 300; k++) {
    for (let i = 0; i < d.dof; i++) q[i] = rng.uniform(d.lower[i] - 0.1, d.upper[i] + 0.1); // some out of range
    d.setTarget(q, rng.next() < 0.5 ? 0 : 1 / 30);
    const steps = 1 + rng.int(400);
    for (let s = 0; s < steps; s++) {
      d.substep();
      assertWithinLimits(d, `target ${k} step ${s}`);
      peakV = Math.max(peakV, Math.abs(d.velocity[0]) / d.maxVelocity[0]);
    }
  }
  assert.ok(peakV > 0.99, 'the sequences should reach the velocity limit at least once');
});

test('reaches a target exactly and stays there without chatter', () => {
  const d = new ArmDynamics(description);
  const q = Float64Array.from([1.2, -0.7, 2.5, 0.03]);
  d.setTarget(q);
  // The slowest: j2 moves 0.7 rad at 1.5 rad/s, 3 rad/s² -> about 0.97 s; the finger 0.03 m -> 0.7 s.
  d.step(1.5);
  for (let i = 0; i < d.dof; i++) assert.ok(Math.abs(d.position[i] - q[i]) < 1e-9, `joint ${i}: ${d.position[i]}`);
  assert.ok(d.settled());
  for (let s = 0; s < 100; s++) {
    d.substep();
    for (let i = 0; i < d.dof; i++) assert.ok(Math.abs(d.position[i] - q[i]) < 1e-9);
  }
});

test('follows a 30 Hz stream within one write period; a stream that brakes within the limits stops on its goal', () => {
  const d = new ArmDynamics(description);
  const q = new Float64Array(d.dof);
  // j1 (2 rad/s, 6 rad/s²): a trapezoid sampled at 30 Hz: 4 rad/s² up to 1.6 rad/s, cruise, 4 rad/s² down to 1.5 rad.
  const T = 1 / 30, acc = 4, vTop = 1.6, goal = 1.5;
  const tAcc = vTop / acc, dAcc = (vTop * tAcc) / 2, tCruise = (goal - 2 * dAcc) / vTop, tEnd = 2 * tAcc + tCruise;
  const trapezoid = (t: number): number => {
    if (t <= tAcc) return (acc * t * t) / 2;
    if (t <= tAcc + tCruise) return dAcc + vTop * (t - tAcc);
    if (t >= tEnd) return goal;
    return goal - (acc * (tEnd - t) ** 2) / 2;
  };
  let maxLag = 0, maxPos = -Infinity;
  for (let k = 1; k < 80; k++) {
    const x = trapezoid(k * T);
    q[0] = x;
    d.setTarget(q, T);
    for (let s = 0; s < (k % 3 === 2 ? 34 : 33); s++) {
      d.substep();
      assertWithinLimits(d, `tick ${k}`);
      maxPos = Math.max(maxPos, d.position[0]);
    }
    maxLag = Math.max(maxLag, Math.abs(q[0] - d.position[0]));
  }
  assert.ok(maxLag <= vTop * T + 0.005, `lag behind the latest command ${maxLag} rad`);
  // Sampled at 30 Hz the stream still moves at a·T/2 on its last segment, so the sim may carry on by about the
  // braking distance from that speed (0.4 mm) plus its small lead over the ramp: under a millimetre.
  assert.ok(maxPos <= goal + 1e-3, `overshoot to ${maxPos}`);
  assert.ok(Math.abs(d.position[0] - goal) < 1e-9);
});

test('a stream that stops dead overshoots by at most v²/2a and comes back; a jump never overshoots', () => {
  const d = new ArmDynamics(description);
  const q = new Float64Array(d.dof);
  let maxPos = -Infinity;
  for (let k = 1; k <= 30; k++) {
    q[0] = Math.min(0.9, 0.03 * k); // 0.9 rad/s, then hold still
    d.setTarget(q, 1 / 30);
    for (let s = 0; s < 33; s++) { d.substep(); maxPos = Math.max(maxPos, d.position[0]); }
  }
  d.step(1);
  assert.ok(maxPos <= 0.9 + (0.9 * 0.9) / (2 * 6) + 0.01, `overshoot to ${maxPos}`);
  assert.ok(Math.abs(d.position[0] - 0.9) < 1e-9);
  // A jump of 1 rad written as one command with a ramp: approached time-optimally, no overshoot.
  q[0] = 1.9;
  d.setTarget(q, 1 / 30);
  let peak = -Infinity;
  for (let s = 0; s < 2000; s++) { d.substep(); peak = Math.max(peak, d.position[0]); }
  assert.ok(peak <= 1.9 + 1e-9, `jump overshoot to ${peak}`);
  assert.ok(Math.abs(d.position[0] - 1.9) < 1e-9);
});

test('hold decelerates within the limits, stops, and stays until a new target', () => {
  const d = new ArmDynamics(description);
  d.setTarget(Float64Array.from([3, 2, -3, 0.04]));
  d.step(0.4);
  assert.ok(Math.abs(d.velocity[0]) > 1.5, 'moving fast before the hold');
  d.hold();
  assert.ok(d.holding);
  // Worst case: j1 at 2 rad/s with 6 rad/s² stops in 0.33 s.
  for (let s = 0; s < 400; s++) { d.substep(); assertWithinLimits(d, `hold step ${s}`); }
  for (let i = 0; i < d.dof; i++) assert.equal(d.velocity[i], 0);
  const frozen = Float64Array.from(d.position);
  d.step(1);
  assert.deepEqual(d.position, frozen);
  d.setTarget(frozen.map((x, i) => (i === 0 ? x - 0.1 : x)));
  assert.ok(!d.holding);
  d.step(1);
  assert.ok(Math.abs(d.position[0] - (frozen[0] - 0.1)) < 1e-9, 'a new target ends the hold from where the arm is');
});

test('a lower stop blocks the finger and reports a squeeze effort', () => {
  const d = new ArmDynamics(description);
  d.setPositions(Float64Array.from([0, 0, 0, 0.04]));
  d.setLowerStop(3, 0.025);
  d.setTarget(Float64Array.from([0, 0, 0, 0]));
  d.step(0.5);
  assert.equal(d.position[3], 0.025);
  assert.ok(d.effort[3] < 0);
  assert.ok(d.settled());
  d.setLowerStop(3, -Infinity);
  d.step(1);
  assert.ok(Math.abs(d.position[3]) < 1e-9);
});

test('takeSteps carries the remainder so 1/30 s ticks average the servo rate', () => {
  const d = new ArmDynamics(description, { servoRateHz: 1000 });
  let total = 0;
  for (let k = 0; k < 30; k++) total += d.takeSteps(1 / 30);
  assert.equal(total, 1000);
  assert.throws(() => new ArmDynamics(description, { servoRateHz: 100 }), /servoRateHz/);
});
