import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimWorld } from './sim-arm-driver.js';
import { ARM6_HOME_POSITIONS } from './world.js';

const cmd = (positions: Float64Array) => ({ stampNs: 0n, positions });

test('lifecycle: unconfigured -> inactive -> active -> inactive; write before activate is an error', async () => {
  const { driver, world } = createSimWorld({ seed: 1 });
  assert.equal(driver.lifecycle, 'unconfigured');
  const q = Float64Array.from(ARM6_HOME_POSITIONS);
  q[0] += 0.2;
  assert.equal(driver.write(cmd(q)), 'error');
  await assert.rejects(driver.activate(), /SimArmDriver#activate: .*configure\(\) first/);
  await driver.configure();
  assert.equal(driver.lifecycle, 'inactive');
  assert.equal(driver.write(cmd(q)), 'error');
  assert.equal(driver.rejectedWrites, 2);
  assert.match(driver.lastError ?? '', /activate\(\) first/);
  world.step(0.5);
  assert.deepEqual(Array.from(driver.readCommandPositions()), ARM6_HOME_POSITIONS, 'refused writes never moved the arm');
  await driver.activate();
  assert.equal(driver.lifecycle, 'active');
  assert.equal(driver.write(cmd(new Float64Array(3))), 'error', 'wrong length');
  assert.equal(driver.write(cmd(q.map((x, i) => (i === 2 ? Number.NaN : x)))), 'error', 'NaN');
  assert.equal(driver.write(cmd(q)), 'ok');
  world.step(2);
  assert.ok(Math.abs(driver.readCommandPositions()[0] - q[0]) < 1e-9);
  await driver.deactivate();
  assert.equal(driver.lifecycle, 'inactive');
  assert.equal(driver.write(cmd(q)), 'error');
});

test('activate sets command := measured, so the arm does not jump', async () => {
  const { driver, world } = createSimWorld({ seed: 1, initialPositions: [0.1, -1.5, 1.5, 1.2, -1.5, -1.0, 0.02] });
  await driver.configure();
  await driver.activate();
  const before = Float64Array.from(driver.readCommandPositions());
  world.step(1);
  assert.deepEqual(driver.readCommandPositions(), before);
  assert.ok(driver.read().velocity.every((v) => v === 0));
});

test('read() reports every non-fixed non-mimic joint with a sim-time stamp, in a reused object', async () => {
  const { driver, world, description } = createSimWorld({ seed: 1 });
  await driver.configure();
  await driver.activate();
  const s = driver.read();
  assert.deepEqual(s.name, description.commandJointNames);
  assert.ok(!s.name.includes('gripper_finger_right'), 'mimic joint left out');
  world.step(0.25);
  const s2 = driver.read();
  assert.equal(s2, s);
  assert.deepEqual(s2.header.stamp, { sec: 0, nanosec: 250_000_000 });
  assert.equal(s2.position.length, 7);
});

test('30 Hz writes are ramped at the servo rate: smooth motion within the limits', async () => {
  const { driver, world } = createSimWorld({ seed: 1 });
  const d = world.dynamics;
  await driver.configure();
  await driver.activate();
  const q = Float64Array.from(ARM6_HOME_POSITIONS);
  let maxAcc = 0;
  for (let k = 0; k < 60; k++) {
    q[0] = ARM6_HOME_POSITIONS[0] + 0.02 * k; // 0.6 rad/s
    assert.equal(driver.write(cmd(q)), 'ok');
    world.step(1 / 30);
    maxAcc = Math.max(maxAcc, Math.abs(d.acceleration[0]));
  }
  assert.ok(Math.abs(d.velocity[0] - 0.6) < 0.01, `steady at the commanded speed, got ${d.velocity[0]}`);
  assert.ok(maxAcc <= d.maxAcceleration[0] + 1e-9);
});

test('hold decelerates within the limits, records the reason, and a write resumes', async () => {
  const { driver, world } = createSimWorld({ seed: 1 });
  const d = world.dynamics;
  await driver.configure();
  await driver.activate();
  const q = Float64Array.from(ARM6_HOME_POSITIONS);
  q[0] += 1.5;
  driver.write(cmd(q));
  world.step(0.4);
  assert.ok(Math.abs(d.velocity[0]) > 1);
  driver.hold('watchdog: no command for 200 ms');
  assert.equal(driver.holdCount, 1);
  assert.equal(driver.lastHoldReason, 'watchdog: no command for 200 ms');
  for (let k = 0; k < 60; k++) {
    world.step(1 / 60);
    for (let i = 0; i < d.dof; i++) assert.ok(Math.abs(d.acceleration[i]) <= d.maxAcceleration[i] + 1e-9);
  }
  assert.ok(driver.read().velocity.every((v) => v === 0), 'stopped');
  const stopped = Float64Array.from(driver.readCommandPositions());
  world.step(1);
  assert.deepEqual(driver.readCommandPositions(), stopped, 'stays put');
  assert.equal(driver.write(cmd(q)), 'ok');
  world.step(2);
  assert.ok(Math.abs(driver.readCommandPositions()[0] - q[0]) < 1e-9, 'resumes to the new target');
});
