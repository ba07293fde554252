import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadArmDescription, topDownGrasp } from '../../runtime/robot/index.js';
import { World, ARM6_HOME_POSITIONS } from '../world.js';
import { DEFAULT_TABLE } from '../scene-layout.js';
import { TOWEL_SPAWN } from './world-cloth.js';

const description = loadArmDescription();

/** Drives the arm to a top-down tcp pose with the gripper at `fingerM` and waits until it settles. */
function moveTo(w: World, x: number, y: number, z: number, yawRad: number, fingerM: number): void {
  const q = new Float64Array(w.dynamics.dof);
  const ik = w.kinematics.ik(topDownGrasp(x, y, z, yawRad), w.dynamics.position);
  assert.ok(ik.ok, `IK to ${x} ${y} ${z}`);
  q.set(ik.q);
  q[w.dynamics.gripperIndex] = fingerM;
  w.dynamics.setTarget(q, 0.5);
  for (let t = 0; t < 200 && !w.dynamics.settled(1e-7); t++) w.step(1 / 30);
  assert.ok(w.dynamics.settled(1e-7), 'the arm settles');
}

test('without a cloth the world is as before: no towel, no particles, the same layout', () => {
  const off = new World({ seed: 4, description });
  const on = new World({ seed: 4, description, cloth: true });
  assert.equal(off.cloth, undefined);
  assert.equal(off.clothParticles(), undefined);
  assert.ok(off.sceneState().objects.every((o) => o.kind === 'box'));
  assert.deepEqual(on.objects.map((o) => o.pose), off.objects.map((o) => o.pose), 'the boxes do not move for the towel');
  assert.equal(on.objectsTotal, off.objectsTotal, 'objectsTotal counts boxes only');
});

test('with a cloth: a towel flat on the table at a seeded place, in SceneState after the boxes', () => {
  const spots = new Set<string>();
  for (let seed = 1; seed <= 8; seed++) {
    const w = new World({ seed, description, boxes: 2, cloth: true });
    const c = w.cloth!;
    const s = w.sceneState();
    assert.equal(s.objects.length, 3);
    const towel = s.objects[2];
    assert.equal(towel.id, 'towel');
    assert.equal(towel.kind, 'cloth');
    assert.equal(towel.color, 'white');
    assert.deepEqual(towel.size, { x: 0.3, y: 0.3, z: 0.003 });
    assert.equal(towel.held, false);
    assert.equal(towel.in_bin, 0);
    const { x, y, z } = towel.pose.position;
    assert.ok(x >= TOWEL_SPAWN.xMinM && x <= TOWEL_SPAWN.xMaxM && y >= TOWEL_SPAWN.yMinM && y <= TOWEL_SPAWN.yMaxM, `centre ${x} ${y}`);
    assert.ok(Math.abs(z - (DEFAULT_TABLE.topZM + c.radiusM)) < 1e-12, 'flat on the table top');
    const p = c.positions;
    for (let i = 0; i < c.count; i++) {
      assert.ok(p[3 * i] > DEFAULT_TABLE.xMinM && p[3 * i] < DEFAULT_TABLE.xMaxM && p[3 * i + 1] > DEFAULT_TABLE.yMinM && p[3 * i + 1] < DEFAULT_TABLE.yMaxM);
    }
    const q = towel.pose.orientation;
    assert.ok(Math.abs(2 * Math.atan2(q.z, q.w) - c.placement.yawRad) < 1e-9, 'pose yaw = placement yaw');
    spots.add(`${x.toFixed(3)},${y.toFixed(3)}`);
    const buf = w.clothParticles()!;
    assert.ok(buf instanceof Float32Array && buf.length === 3 * 400);
    assert.equal(w.clothParticles(), buf, 'one reused buffer');
    assert.equal(buf[3 * 17 + 1], Math.fround(p[3 * 17 + 1]));
  }
  assert.equal(spots.size, 8, 'each seed its own place');
  const placed = new World({ seed: 1, description, boxes: 0, cloth: { xM: 0.5, yM: -0.1, yawRad: 0, rows: 10, cols: 12, color: 'blue' } });
  assert.deepEqual(placed.cloth!.placement, { xM: 0.5, yM: -0.1, zM: 0.0015, yawRad: 0 });
  assert.equal(placed.clothParticles()!.length, 3 * 120);
  assert.equal(placed.sceneState().objects[0].color, 'blue');
});

test('a seed fixes the towel run bit for bit, with the arm moving through it', () => {
  const run = (seed: number) => {
    const w = new World({ seed, description, boxes: 1, cloth: true });
    const q = Float64Array.from(ARM6_HOME_POSITIONS);
    for (let k = 0; k < 45; k++) {
      q[1] = ARM6_HOME_POSITIONS[1] + 0.4 * Math.sin(k / 10);
      w.dynamics.setTarget(q, 1 / 30);
      w.step(1 / 30);
    }
    return Array.from(w.clothParticles()!);
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test('grasp a corner, carry the towel hanging free, lay it in bin 1; world step cost with the cloth', () => {
  const w = new World({ seed: 2, description, boxes: 0, cloth: { xM: 0.45, yM: -0.05, yawRad: 0.2 } });
  const c = w.cloth!, p = c.positions, k = c.cornerIndex('near_left');
  const mid = c.centroid(), dx = mid.x - p[3 * k], dy = mid.y - p[3 * k + 1], l = Math.hypot(dx, dy);
  const gx = p[3 * k] + (0.008 * dx) / l, gy = p[3 * k + 1] + (0.008 * dy) / l, yaw = Math.atan2(dy, dx);
  moveTo(w, gx, gy, 0.1, yaw, 0.04);
  moveTo(w, gx, gy, p[3 * k + 2] + 0.012, yaw, 0.04);
  assert.equal(w.sceneState().objects[0].held, false);
  moveTo(w, gx, gy, p[3 * k + 2] + 0.012, yaw, 0);
  assert.ok(c.held && w.sceneState().objects[0].held, 'pinched');
  assert.ok(c.pinnedIndices().includes(k));
  assert.ok(w.dynamics.position[w.dynamics.gripperIndex] < 0.001, 'the fingers close on cloth: no stop');
  const cpu0 = process.cpuUsage(), t0 = w.timeS;
  moveTo(w, gx, gy, 0.57, yaw, 0);
  const cpu = process.cpuUsage(cpu0), steps = (w.timeS - t0) * 30;
  console.log(`# world.step(1/30) with a 20×20 towel: ${((cpu.user + cpu.system) / 1000 / steps).toFixed(2)} ms CPU (arm + cloth)`);
  let lo = Infinity;
  for (let i = 0; i < c.count; i++) lo = Math.min(lo, p[3 * i + 2]);
  assert.ok(lo > DEFAULT_TABLE.topZM + 0.05, `hangs free: lowest ${lo}`);
  const tcp = w.tcpPose().position;
  assert.ok(Math.hypot(p[3 * k] - tcp.x, p[3 * k + 1] - tcp.y, p[3 * k + 2] - tcp.z) < 0.02, 'the corner is at the tcp');
  const bin = w.bins[0];
  moveTo(w, bin.centerXM, bin.centerYM, 0.57, yaw, 0);
  w.step(1.5); // let the swing die down
  moveTo(w, bin.centerXM, bin.centerYM, 0.05, yaw, 0);
  moveTo(w, bin.centerXM, bin.centerYM, 0.05, yaw, 0.04);
  assert.equal(c.held, false);
  moveTo(w, bin.centerXM, bin.centerYM, 0.3, yaw, 0.04);
  w.step(1);
  const towel = w.sceneState().objects[0];
  assert.equal(towel.in_bin, 1, `fraction in bin ${c.fractionInBin(bin)}`);
  assert.equal(towel.held, false);
});
