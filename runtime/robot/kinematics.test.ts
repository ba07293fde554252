import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JointSpec, Pose } from './arm-description.js';
import { Kinematics } from './kinematics.js';
import { angleBetweenQuats, quatRotateVec3, topDownGrasp } from './transforms.js';
import { readFileSync } from 'node:fs';
import { DEFAULT_URDF_PATH, loadArmDescription, parseUrdf } from './urdf.js';
import { mulberry32 } from '../random.js';

const desc = loadArmDescription();
const kin = new Kinematics(desc);
/** Gripper above the table centre, pointing down (found once by IK; see the workspace test). */
const READY = [-0.3024, -1.2361, 1.3494, -1.684, 1.5708, 1.2684];

const prng = mulberry32;

function randomQ(rand: () => number): Float64Array {
  return Float64Array.from(desc.armJoints, (j) => j.limits.lower + (j.limits.upper - j.limits.lower) * rand());
}

function positionError(a: Pose, b: Pose): number {
  return Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y, a.position.z - b.position.z);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- An independent FK: plain 4×4 matrices from the URDF joint specs, no code shared with kinematics.ts ----
type M4 = number[][];
const mul = (a: M4, b: M4): M4 => a.map((row) => b[0].map((_, c) => row.reduce((s, v, k) => s + v * b[k][c], 0)));
const rotX = (a: number): M4 => [[1, 0, 0, 0], [0, Math.cos(a), -Math.sin(a), 0], [0, Math.sin(a), Math.cos(a), 0], [0, 0, 0, 1]];
const rotY = (a: number): M4 => [[Math.cos(a), 0, Math.sin(a), 0], [0, 1, 0, 0], [-Math.sin(a), 0, Math.cos(a), 0], [0, 0, 0, 1]];
const rotZ = (a: number): M4 => [[Math.cos(a), -Math.sin(a), 0, 0], [Math.sin(a), Math.cos(a), 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const trans = (x: number, y: number, z: number): M4 => [[1, 0, 0, x], [0, 1, 0, y], [0, 0, 1, z], [0, 0, 0, 1]];
function rotAxis([x, y, z]: number[], a: number): M4 {
  // Through the cross-product matrix K: R = I + sin(a)K + (1 − cos(a))K².
  const K = [[0, -z, y], [z, 0, -x], [-y, x, 0]];
  const K2 = K.map((row) => [0, 1, 2].map((c) => row.reduce((s, v, k) => s + v * K[k][c], 0)));
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => (r === c ? 1 : 0) + Math.sin(a) * K[r][c] + (1 - Math.cos(a)) * K2[r][c]));
  return [[...R[0], 0], [...R[1], 0], [...R[2], 0], [0, 0, 0, 1]];
}
function referenceFk(q: ArrayLike<number>): M4 {
  const byChild = new Map<string, JointSpec>(desc.joints.map((j) => [j.child, j]));
  const path: JointSpec[] = [];
  for (let link = desc.toolLink; link !== desc.baseLink; link = byChild.get(link)!.parent) path.unshift(byChild.get(link)!);
  let T = trans(0, 0, 0);
  for (const j of path) {
    const [r, p, y] = j.originRpy;
    T = mul(T, mul(trans(...j.originXyz), mul(rotZ(y), mul(rotY(p), rotX(r)))));
    const i = desc.armJoints.indexOf(j);
    if (i >= 0) T = mul(T, j.type === 'prismatic' ? trans(j.axis[0] * q[i], j.axis[1] * q[i], j.axis[2] * q[i]) : rotAxis(j.axis, q[i]));
  }
  return T;
}

test('FK at the zero configuration matches the hand-computed tcp pose', () => {
  const p = kin.fk([0, 0, 0, 0, 0, 0]);
  // Stretched along +x: x = upper arm + forearm; y = lateral offsets + flange + gripper; z = shoulder + wrist_2 offset.
  assert.ok(Math.abs(p.position.x - (0.425 + 0.3922)) < 1e-9);
  assert.ok(Math.abs(p.position.y - (0.138 - 0.131 + 0.127 + 0.0996 + 0.12)) < 1e-9);
  assert.ok(Math.abs(p.position.z - (0.1625 + 0.0997)) < 1e-9);
  // The tool points along +y: a rotation of −π/2 about x.
  assert.ok(angleBetweenQuats(p.orientation, { x: -Math.SQRT1_2, y: 0, z: 0, w: Math.SQRT1_2 }) < 1e-9);
});

test('FK agrees with an independent 4×4 matrix chain over random configurations', () => {
  const rand = prng(7);
  for (let n = 0; n < 200; n++) {
    const q = randomQ(rand);
    const pose = kin.fk(q), T = referenceFk(q);
    assert.ok(Math.hypot(pose.position.x - T[0][3], pose.position.y - T[1][3], pose.position.z - T[2][3]) < 1e-9);
    // Compare the rotation columns: tool x, y, z axes.
    for (let c = 0; c < 3; c++) {
      const axis = quatRotateVec3(pose.orientation, { x: c === 0 ? 1 : 0, y: c === 1 ? 1 : 0, z: c === 2 ? 1 : 0 });
      assert.ok(Math.hypot(axis.x - T[0][c], axis.y - T[1][c], axis.z - T[2][c]) < 1e-9, `config ${n} axis ${c}`);
    }
  }
});

test('linkPoses walks base to tcp and ends at the FK pose', () => {
  const poses = kin.linkPoses(READY);
  assert.deepEqual(poses.map((p) => p.link), ['base_link', 'shoulder_link', 'upper_arm_link', 'forearm_link',
    'wrist_1_link', 'wrist_2_link', 'wrist_3_link', 'tool0', 'gripper_base_link', 'tcp']);
  const tcp = poses[poses.length - 1].pose, fk = kin.fk(READY);
  assert.ok(positionError(tcp, fk) < 1e-12 && angleBetweenQuats(tcp.orientation, fk.orientation) < 1e-9);
  assert.ok(Math.abs(poses[1].pose.position.z - 0.1625) < 1e-12);
});

test('the Jacobian matches finite differences of FK', () => {
  const rand = prng(11), h = 1e-6, J = new Float64Array(6 * kin.dof);
  for (let n = 0; n < 50; n++) {
    const q = randomQ(rand);
    kin.jacobian(q, J);
    for (let i = 0; i < kin.dof; i++) {
      const qp = Float64Array.from(q), qm = Float64Array.from(q);
      qp[i] += h; qm[i] -= h;
      const a = kin.fk(qp), b = kin.fk(qm);
      const lin = [(a.position.x - b.position.x) / (2 * h), (a.position.y - b.position.y) / (2 * h), (a.position.z - b.position.z) / (2 * h)];
      // Angular velocity: the rotation b → a is about ω·2h (base frame), ω = 2·vec(a ⊗ conj(b)) / 2h for small angles.
      const { x: ax, y: ay, z: az, w: aw } = a.orientation, { x: bx, y: by, z: bz, w: bw } = b.orientation;
      const s = Math.sign(aw * bw + ax * bx + ay * by + az * bz);
      const ang = [
        (2 * s * (-aw * bx + ax * bw - ay * bz + az * by)) / (2 * h),
        (2 * s * (-aw * by + ax * bz + ay * bw - az * bx)) / (2 * h),
        (2 * s * (-aw * bz - ax * by + ay * bx + az * bw)) / (2 * h),
      ];
      for (let r = 0; r < 3; r++) {
        assert.ok(Math.abs(J[r * kin.dof + i] - lin[r]) < 1e-6, `config ${n} joint ${i} row ${r}`);
        assert.ok(Math.abs(J[(r + 3) * kin.dof + i] - ang[r]) < 1e-6, `config ${n} joint ${i} row ${r + 3}`);
      }
    }
  }
});

test('IK round trip: 1,000 random reachable poses from unrelated seeds', () => {
  const rand = prng(2024);
  let good = 0, outside = 0;
  const times: number[] = [];
  for (let n = 0; n < 1000; n++) {
    const target = kin.fk(randomQ(rand));
    // The seed is a different random configuration, never the answer.
    const seed = randomQ(rand);
    const t0 = performance.now();
    const r = kin.ik(target, seed);
    times.push(performance.now() - t0);
    if (!kin.withinLimits(r.q)) outside++;
    const reached = kin.fk(r.q);
    if (r.ok && positionError(reached, target) < 1e-3 && angleBetweenQuats(reached.orientation, target.orientation) < 0.01) good++;
  }
  console.log(`IK from random seeds: ${(good / 10).toFixed(1)} % within 1 mm / 0.01 rad, median ${(median(times) * 1000).toFixed(0)} µs per solve`);
  assert.equal(outside, 0, 'IK returned joints outside the limits');
  assert.ok(good / 1000 >= 0.99, `success ${good / 1000}`);
});

test('IK from a nearby seed: always solves, stays near the seed, fast', () => {
  const rand = prng(99);
  const times: number[] = [];
  let maxJump = 0;
  for (let n = 0; n < 1000; n++) {
    const qa = randomQ(rand);
    const seed = qa.map((v, i) => Math.min(kin.upper[i], Math.max(kin.lower[i], v + (rand() - 0.5) * 0.2)));
    const target = kin.fk(qa);
    const t0 = performance.now();
    const r = kin.ik(target, seed);
    times.push(performance.now() - t0);
    assert.ok(r.ok && r.positionErrorM <= 1e-4 && r.orientationErrorRad <= 1e-3, `pose ${n}`);
    for (let i = 0; i < kin.dof; i++) maxJump = Math.max(maxJump, Math.abs(r.q[i] - seed[i]));
  }
  console.log(`IK from nearby seeds: median ${(median(times) * 1000).toFixed(1)} µs per solve, largest joint move ${maxJump.toFixed(3)} rad`);
  assert.ok(median(times) < 0.2, `median ${median(times)} ms`);
  assert.ok(maxJump < 0.5);
});

test('top-down grasps over the whole table and bins are reachable from READY', () => {
  const ready = kin.fk(READY);
  assert.ok(angleBetweenQuats(ready.orientation, topDownGrasp(0.45, 0, 0.3, 0).orientation) < 1e-3);
  let n = 0;
  for (let x = 0.3; x <= 0.7001; x += 0.1) {
    for (let y = -0.4; y <= 0.4001; y += 0.1) {
      for (const z of [0.01, 0.1, 0.3]) {
        for (const yaw of [-Math.PI / 2, -0.7, 0, 0.7, Math.PI / 2]) {
          const r = kin.ik(topDownGrasp(x, y, z, yaw), READY);
          assert.ok(r.ok && kin.withinLimits(r.q), `(${x.toFixed(1)}, ${y.toFixed(1)}, ${z}) yaw ${yaw}`);
          n++;
        }
      }
    }
  }
  for (const y of [-0.55, 0.55]) for (const x of [0.2, 0.4]) assert.ok(kin.ik(topDownGrasp(x, y, 0.25, 0), READY).ok, `bin at ${x}, ${y}`);
  assert.equal(n, 675);
});

test('IK of an unreachable target fails quickly, within limits', () => {
  for (const target of [topDownGrasp(2, 0, 0.3, 0), topDownGrasp(1.05, 0.2, 0.3, 0), topDownGrasp(0, 0, -0.9, 0)]) {
    const t0 = performance.now();
    const r = kin.ik(target, READY);
    const ms = performance.now() - t0;
    assert.equal(r.ok, false);
    assert.ok(r.positionErrorM > 0.01);
    assert.ok(kin.withinLimits(r.q));
    assert.ok(ms < 50, `${ms} ms`);
  }
  // Beyond any stretch of the chain: answered without iterating.
  assert.equal(kin.ik(topDownGrasp(2, 0, 0.3, 0), READY).iterations, 0);
});

test('IK clamps a seed outside the limits and is deterministic', () => {
  const target = topDownGrasp(0.5, 0.2, 0.1, 0.3);
  const wild = [10, -10, 5, 20, -20, 9];
  const a = kin.ik(target, wild), b = kin.ik(target, wild);
  assert.ok(a.ok && kin.withinLimits(a.q));
  assert.deepEqual(Array.from(a.q), Array.from(b.q));
});

test('positionOnly ignores the orientation', () => {
  const target = { position: { x: 0.5, y: -0.1, z: 0.2 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
  const r = kin.ik(target, READY, { positionOnly: true });
  assert.ok(r.ok && r.positionErrorM <= 1e-4);
  assert.ok(positionError(kin.fk(r.q), target) <= 1e-4);
});

test('fk and jacobian reuse the out arguments', () => {
  const out: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
  assert.equal(kin.fk(READY, out), out);
  const J = new Float64Array(6 * kin.dof);
  assert.equal(kin.jacobian(READY, J), J);
  assert.throws(() => kin.fk([0, 0]), /Kinematics#fk: q has 2 values, the arm has 6 joints/);
});

test('a continuous joint (no position limits) works in FK and IK', () => {
  const xml = readFileSync(DEFAULT_URDF_PATH, 'utf8')
    .replace('<joint name="shoulder_pan" type="revolute">', '<joint name="shoulder_pan" type="continuous">')
    .replace('<limit lower="-6.2832" upper="6.2832" velocity="2.0944" effort="150"/>', '<limit velocity="2.0944" effort="150"/>');
  const k = new Kinematics(parseUrdf(xml, 'continuous.urdf'));
  assert.equal(k.lower[0], -Infinity);
  const target = topDownGrasp(-0.5, 0.3, 0.1, 1);
  const r = k.ik(target, [12, ...READY.slice(1)]);
  assert.ok(r.ok && positionError(k.fk(r.q), target) < 1e-4);
  assert.ok(Math.abs(r.q[0] - 12) <= Math.PI, 'the unbounded joint stays within half a turn of its seed');
});
