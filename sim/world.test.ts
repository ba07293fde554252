import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadArmDescription, topDownGrasp } from '../runtime/robot/index.js';
import { World, ARM6_HOME_POSITIONS } from './world.js';
import { yawOf } from './world-objects.js';
import { DEFAULT_TABLE, defaultBins } from './scene-layout.js';

const description = loadArmDescription();

function snapshot(w: World): number[] {
  const out = Array.from(w.dynamics.position).concat(Array.from(w.dynamics.velocity));
  for (const o of w.objects) {
    const p = o.pose.position, q = o.pose.orientation;
    out.push(p.x, p.y, p.z, q.x, q.y, q.z, q.w, o.inBin);
  }
  return out;
}

/** Drives the arm to a top-down tcp pose with the gripper at `fingerM` and waits until it settles. */
function moveTo(w: World, x: number, y: number, z: number, yawRad: number, fingerM: number): void {
  const q = new Float64Array(w.dynamics.dof);
  const ik = w.kinematics.ik(topDownGrasp(x, y, z, yawRad), w.dynamics.position);
  assert.ok(ik.ok, `IK to ${x} ${y} ${z}`);
  q.set(ik.q);
  q[w.dynamics.gripperIndex] = fingerM;
  w.dynamics.setTarget(q);
  for (let t = 0; t < 100 && !w.dynamics.settled(1e-7); t++) w.step(0.05);
  assert.ok(w.dynamics.settled(1e-7), 'the arm settles');
}

test('a seed fixes the layout and the run; another seed differs', () => {
  const run = (seed: number) => {
    const w = new World({ seed, description });
    const q = Float64Array.from(ARM6_HOME_POSITIONS);
    for (let k = 0; k < 60; k++) {
      q[0] = ARM6_HOME_POSITIONS[0] + 0.3 * Math.sin(k / 10);
      q[6] = 0.02 + 0.02 * Math.cos(k / 7);
      w.dynamics.setTarget(q, 1 / 30);
      w.step(1 / 30);
    }
    return snapshot(w);
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test('boxes start on the table, apart, inside the table and out of the bins', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const w = new World({ seed, description, boxes: 6 });
    assert.equal(w.objectsTotal, 6);
    assert.equal(w.objectsPlaced(), 0);
    for (const [i, o] of w.objects.entries()) {
      const p = o.pose.position;
      assert.ok(o.size.x >= 0.04 && o.size.x <= 0.06);
      assert.ok(Math.abs(p.z - o.size.z / 2) < 1e-12, 'resting on the table top');
      assert.ok(p.x > DEFAULT_TABLE.xMinM && p.x < DEFAULT_TABLE.xMaxM && p.y > DEFAULT_TABLE.yMinM && p.y < DEFAULT_TABLE.yMaxM);
      for (const other of w.objects.slice(i + 1)) {
        assert.ok(Math.hypot(other.pose.position.x - p.x, other.pose.position.y - p.y) > (o.size.x + other.size.x) * 0.71);
      }
    }
  }
});

test('every bin can be reached from above with a top-down grasp', () => {
  const w = new World({ seed: 1, description });
  for (const b of defaultBins()) {
    for (const z of [0.15, 0.3]) {
      const ik = w.kinematics.ik(topDownGrasp(b.centerXM, b.centerYM, z, 0), ARM6_HOME_POSITIONS);
      assert.ok(ik.ok, `bin ${b.number} at z ${z}`);
    }
  }
});

test('grasp, carry and release into a bin sets in_bin; the fingers stop at the box width', () => {
  const w = new World({ seed: 2, description });
  const box = w.objects[0];
  const { x, y } = box.pose.position;
  const yaw = yawOf(box.pose);
  const h = box.size.z;
  moveTo(w, x, y, h + 0.1, yaw, 0.04);
  moveTo(w, x, y, h / 2, yaw, 0.04);
  moveTo(w, x, y, h / 2, yaw, 0);
  assert.equal(box.state, 'held');
  assert.ok(Math.abs(w.dynamics.position[6] - box.size.x / 2) < 1e-12, 'finger stopped at half the width');
  assert.ok(w.dynamics.effort[6] < 0, 'squeezing');
  let s = w.sceneState();
  assert.equal(s.objects[0].held, true);
  moveTo(w, x, y, 0.25, yaw, 0);
  assert.ok(Math.abs(box.pose.position.z - 0.25) < 0.002, 'carried up with the tcp');
  const bin = w.bins[1];
  moveTo(w, bin.centerXM, bin.centerYM, 0.25, 0, 0);
  const q = Float64Array.from(w.dynamics.target);
  q[6] = 0.04;
  w.dynamics.setTarget(q);
  w.step(0.05);
  assert.equal(box.state, 'falling');
  w.step(0.5);
  assert.equal(box.state, 'resting');
  assert.equal(box.inBin, bin.number);
  assert.ok(Math.abs(box.pose.position.z - (bin.floorM + h / 2)) < 1e-9, 'on the bin floor');
  assert.equal(w.objectsPlaced(), 1);
  s = w.sceneState(123_000_000_001n);
  assert.equal(s.objects[0].in_bin, bin.number);
  assert.equal(s.objects[0].held, false);
  assert.deepEqual(s.header.stamp, { sec: 123, nanosec: 1 });
  assert.equal(s.bins.length, 3);
});

test('a box not between the fingers is not grasped', () => {
  const w = new World({ seed: 2, description });
  const box = w.objects[0];
  const { x, y } = box.pose.position;
  const yaw = yawOf(box.pose);
  const h = box.size.z;
  // Beside the box: 6 cm off along tool X.
  moveTo(w, x + 0.06 * Math.cos(yaw), y + 0.06 * Math.sin(yaw), h / 2, yaw, 0.04);
  moveTo(w, x + 0.06 * Math.cos(yaw), y + 0.06 * Math.sin(yaw), h / 2, yaw, 0);
  assert.equal(box.state, 'resting');
  assert.ok(Math.abs(w.dynamics.position[6]) < 1e-12, 'the fingers closed on nothing');
  // Above the box: the fingertips do not reach it.
  moveTo(w, x, y, h + 0.05, yaw, 0.04);
  moveTo(w, x, y, h + 0.05, yaw, 0);
  assert.equal(box.state, 'resting');
  // Fingers already closed, then lowered onto the box: no grasp when opening either.
  moveTo(w, x, y, h / 2, yaw, 0);
  moveTo(w, x, y, h / 2, yaw, 0.01);
  assert.equal(box.state, 'resting');
  // Turned 45° to the faces: the fingers would land on the edges.
  moveTo(w, x, y, h + 0.1, yaw + Math.PI / 4, 0.04);
  moveTo(w, x, y, h / 2, yaw + Math.PI / 4, 0.04);
  moveTo(w, x, y, h / 2, yaw + Math.PI / 4, 0);
  assert.equal(box.state, 'resting');
});

test('a box dropped on another box rests on top of it, and falls when the lower one is taken', () => {
  const w = new World({ seed: 5, description });
  const [a, b] = w.objects;
  const ya = yawOf(a.pose), yb = yawOf(b.pose);
  moveTo(w, a.pose.position.x, a.pose.position.y, a.size.z + 0.1, ya, 0.04);
  moveTo(w, a.pose.position.x, a.pose.position.y, a.size.z / 2, ya, 0.04);
  moveTo(w, a.pose.position.x, a.pose.position.y, a.size.z / 2, ya, 0);
  assert.equal(a.state, 'held');
  const bx = b.pose.position.x, by = b.pose.position.y;
  moveTo(w, bx, by, b.size.z + a.size.z + 0.08, yb, 0);
  moveTo(w, bx, by, b.size.z + a.size.z + 0.08, yb, 0.04);
  w.step(0.5);
  assert.equal(a.state, 'resting');
  assert.ok(Math.abs(a.pose.position.z - (b.size.z + a.size.z / 2)) < 1e-9, 'on top of b');
  assert.equal(a.inBin, 0);
  // Take b from under a: a must come down to the table.
  moveTo(w, bx, by, b.size.z + a.size.z + 0.1, yb, 0.04);
  moveTo(w, bx, by, b.size.z / 2, yb, 0.04);
  moveTo(w, bx, by, b.size.z / 2, yb, 0);
  assert.equal(b.state, 'held');
  w.step(0.5);
  assert.ok(Math.abs(a.pose.position.z - a.size.z / 2) < 1e-9, 'a fell to the table');
});
