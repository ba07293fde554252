import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quatRotateVec3, topDownGrasp } from '../../runtime/robot/index.js';
import type { Pose } from '../../runtime/robot/index.js';
import { ARM6_GRIPPER } from '../grasp.js';
import { DEFAULT_TABLE, defaultBins } from '../scene-layout.js';
import { Cloth } from './cloth.js';
import type { ClothCorner } from './cloth.js';
import { ClothColliders, staticColliders } from './cloth-colliders.js';
import type { ClothGripperInput } from './cloth-grasp.js';

const DT = 1 / 30;
const TOP = DEFAULT_TABLE.topZM;
const scene = () => staticColliders(DEFAULT_TABLE, defaultBins());

/** Structural edge strains (length / rest - 1), skipping edges between two pinned particles. */
function strains(c: Cloth): number[] {
  const t = c.topology, p = c.positions, pinned = new Set(c.pinnedIndices());
  const out: number[] = [];
  for (let k = 0; k < t.structuralCount; k++) {
    const a = t.edges[2 * k], b = t.edges[2 * k + 1];
    if (pinned.has(a) && pinned.has(b)) continue;
    const l = Math.hypot(p[3 * b] - p[3 * a], p[3 * b + 1] - p[3 * a + 1], p[3 * b + 2] - p[3 * a + 2]);
    out.push(l / t.restLength[k] - 1);
  }
  return out.sort((x, y) => x - y);
}

function zRange(c: Cloth): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < c.count; i++) { lo = Math.min(lo, c.positions[3 * i + 2]); hi = Math.max(hi, c.positions[3 * i + 2]); }
  return [lo, hi];
}

/** Puts an open gripper over a corner, tool x along the diagonal, fingertips just above the cloth, and closes it. */
function grabCorner(c: Cloth, col: ClothColliders, corner: ClothCorner): ClothGripperInput {
  const k = c.cornerIndex(corner), p = c.positions, mid = c.centroid();
  const dx = mid.x - p[3 * k], dy = mid.y - p[3 * k + 1], l = Math.hypot(dx, dy);
  const tcp = topDownGrasp(p[3 * k] + (0.008 * dx) / l, p[3 * k + 1] + (0.008 * dy) / l, p[3 * k + 2] + 0.012, Math.atan2(dy, dx));
  const g: ClothGripperInput = { tcp, gapM: 0.08, geometry: ARM6_GRIPPER };
  c.step(DT, col, g);
  for (let gap = 0.08; gap > 0; gap -= 0.01) { g.gapM = Math.max(0.001, gap - 0.01); c.step(DT, col, g); }
  return g;
}

test('a dropped towel falls under gravity and comes to rest flat on the table, never passing through it', () => {
  const col = scene();
  const c = new Cloth({}, { xM: 0.5, yM: -0.1, zM: 0.2, yawRad: 0.3 });
  c.step(0.1, col);
  const z = c.centroid().z;
  assert.ok(z < 0.2 - 0.03 && z > 0.2 - 0.5 * 9.81 * 0.01 - 1e-3, `fell ${0.2 - z} m in 0.1 s`);
  for (let k = 0; k < 60; k++) {
    c.step(DT, col);
    assert.ok(zRange(c)[0] >= TOP + c.radiusM - 1e-9, `step ${k}: below the table top`);
  }
  const [lo, hi] = zRange(c);
  assert.ok(hi - lo < 1e-6, `flat: z spread ${hi - lo}`);
  assert.ok(Math.abs(lo - (TOP + c.radiusM)) < 1e-6);
  let vmax = 0;
  for (let k = 0; k < c.velocities.length; k++) vmax = Math.max(vmax, Math.abs(c.velocities[k]));
  assert.ok(vmax < 1e-3, `at rest: ${vmax} m/s`);
  const s = strains(c);
  assert.ok(Math.max(-s[0], s[s.length - 1]) < 0.01, `edges within 1% of rest: ${s[0]} .. ${s[s.length - 1]}`);
});

test('friction holds a towel on the table; without friction the part hanging over the edge drags it off', () => {
  const run = (friction: number) => {
    // A third of the towel over the table's +x edge (x max 0.8).
    const c = new Cloth({ friction }, { xM: 0.75, yM: 0, zM: TOP + 0.0015, yawRad: 0 });
    const col = scene();
    for (let k = 0; k < 60; k++) c.step(DT, col);
    return c;
  };
  const held = run(0.6), slid = run(0);
  assert.ok(zRange(held)[0] < TOP - 0.08, 'the overhang hangs down');
  assert.ok(held.centroid().z > TOP - 0.05, 'most of the towel stays on the table');
  assert.ok(slid.centroid().x > held.centroid().x + 0.05, `frictionless slides further: ${slid.centroid().x} vs ${held.centroid().x}`);
});

test('a towel dropped over a box drapes over its edges without entering it', () => {
  const col = new ClothColliders(2, -0.75);
  col.addBox(0.5, 0, -0.375, 0.3, 0.5, 0.375); // table
  col.addBox(0.5, 0, 0.05, 0.05, 0.05, 0.05, 0.2); // a 0.1 m box, turned
  const c = new Cloth({}, { xM: 0.5, yM: 0, zM: 0.2, yawRad: 0 });
  for (let k = 0; k < 90; k++) c.step(DT, col);
  const p = c.positions, r = c.radiusM, cos = Math.cos(0.2), sin = Math.sin(0.2);
  let onTop = 0, hanging = 0;
  for (let i = 0; i < c.count; i++) {
    const dx = p[3 * i] - 0.5, dy = p[3 * i + 1], z = p[3 * i + 2];
    const lx = cos * dx + sin * dy, ly = -sin * dx + cos * dy;
    const inside = Math.abs(lx) < 0.05 + r - 1e-6 && Math.abs(ly) < 0.05 + r - 1e-6 && z < 0.1 + r - 1e-6;
    assert.ok(!inside, `particle ${i} inside the box`);
    assert.ok(z >= r - 1e-9, `particle ${i} below the table`);
    if (Math.abs(lx) < 0.04 && Math.abs(ly) < 0.04) { onTop++; assert.ok(Math.abs(z - (0.1 + r)) < 2e-3, 'rests on the box top'); }
    if (z < 0.05) hanging++;
  }
  assert.ok(onTop > 0 && hanging > c.count / 2, `${onTop} on top, ${hanging} draped down to the table`);
  const [lo, hi] = zRange(c);
  assert.ok(hi > 0.1 && lo < 0.01, `drape from ${hi} down to ${lo}`);
});

test('a towel dropped across a bin wall hangs into the bin on one side and over the outside on the other', () => {
  const bin = defaultBins()[1]; // at (0, 0.55): beyond the table, nothing but the floor outside it
  const col = scene();
  const wallX = bin.centerXM + bin.sizeXM / 2 - bin.wallM / 2;
  const c = new Cloth({}, { xM: wallX, yM: bin.centerYM, zM: 0.2, yawRad: 0 });
  for (let k = 0; k < 120; k++) c.step(DT, col);
  const p = c.positions, rim = bin.baseZM + bin.heightM;
  let inside = 0, outside = 0, maxZ = -Infinity;
  for (let i = 0; i < c.count; i++) {
    const x = p[3 * i], z = p[3 * i + 2];
    maxZ = Math.max(maxZ, z);
    if (x < wallX - 0.02 && z < rim - 0.02) inside++;
    if (x > wallX + 0.02 && z < rim - 0.02) outside++;
  }
  assert.ok(inside > 40 && outside > 40, `${inside} hang inside, ${outside} outside`);
  assert.ok(Math.abs(maxZ - (rim + c.radiusM)) < 3e-3, `the fold rests on the wall top: ${maxZ}`);
});

test('same start, same steps: bit-identical positions', () => {
  const run = () => {
    const col = scene();
    const c = new Cloth({}, { xM: 0.45, yM: -0.05, zM: 0.15, yawRad: 0.7 });
    for (let k = 0; k < 20; k++) c.step(DT, col);
    const g = grabCorner(c, col, 'far_right');
    for (let k = 0; k < 30; k++) { g.tcp.position.z += 0.01; g.tcp.position.x -= 0.003; c.step(DT, col, g); }
    return Float64Array.from(c.positions);
  };
  assert.deepEqual(run(), run());
});

test('pinned particles follow the tcp with their offsets, the towel hangs without stretching, and opening lets go', () => {
  const col = scene();
  const c = new Cloth({}, { xM: 0.5, yM: 0, zM: TOP + 0.0015, yawRad: 0.4 });
  const g = grabCorner(c, col, 'near_left');
  assert.ok(c.held);
  const pinned = Array.from(c.pinnedIndices());
  assert.ok(pinned.includes(c.cornerIndex('near_left')), `the corner is pinned: ${pinned}`);
  assert.ok(pinned.length >= 3 && pinned.length <= 8, `a pinch, not a handful: ${pinned.length}`);
  // Offsets in the tcp frame at the pinch.
  const inv = (pose: Pose, i: number) => {
    const q = pose.orientation, p = c.positions;
    return quatRotateVec3({ x: -q.x, y: -q.y, z: -q.z, w: q.w }, { x: p[3 * i] - pose.position.x, y: p[3 * i + 1] - pose.position.y, z: p[3 * i + 2] - pose.position.z });
  };
  const offsets = pinned.map((i) => inv(g.tcp, i));
  // Lift 0.55 m while turning the tool 90° about the vertical, then hold still.
  const yaw0 = Math.atan2(2 * g.tcp.orientation.x * g.tcp.orientation.y, 1 - 2 * g.tcp.orientation.y ** 2);
  for (let k = 1; k <= 90; k++) {
    const s = Math.min(1, k / 60);
    const t = topDownGrasp(g.tcp.position.x, g.tcp.position.y, Math.min(0.56, g.tcp.position.z + 0.01), yaw0 + (s * Math.PI) / 2);
    g.tcp = t;
    c.step(DT, col, g);
    for (const [j, i] of pinned.entries()) {
      const o = inv(g.tcp, i);
      assert.ok(Math.hypot(o.x - offsets[j].x, o.y - offsets[j].y, o.z - offsets[j].z) < 1e-9, `step ${k}: particle ${i} kept its offset`);
    }
  }
  const [lo] = zRange(c);
  assert.ok(lo > TOP + 0.05, `hangs free of the table: lowest ${lo}`);
  const s = strains(c);
  const p95 = s[Math.floor(s.length * 0.95)], median = s[Math.floor(s.length / 2)];
  console.log(`# hanging by a corner: structural strain median ${(100 * median).toFixed(2)}%, p95 ${(100 * p95).toFixed(2)}%, max ${(100 * s[s.length - 1]).toFixed(1)}% (at the pinch)`);
  assert.ok(median < 0.01 && p95 < 0.03 && s[s.length - 1] < 0.1, 'edges within a few % of rest');
  assert.ok(s[0] > -0.05, `no edge crushed: ${s[0]}`);
  // Open: the towel drops.
  g.gapM = 0.08;
  c.step(DT, col, g);
  assert.ok(!c.held);
  const z0 = c.centroid().z;
  for (let k = 0; k < 5; k++) c.step(DT, col, g);
  assert.ok(c.centroid().z < z0 - 0.03, 'falls once let go');
});

test('closing the fingers away from the towel, or with the towel outside the pads, catches nothing', () => {
  const col = scene();
  const c = new Cloth({}, { xM: 0.5, yM: 0, zM: TOP + 0.0015, yawRad: 0 });
  const k = c.cornerIndex('near_left'), p = c.positions;
  for (const [dz, dx] of [[0.05, 0], [0.012, -0.03]]) {
    const g: ClothGripperInput = { tcp: topDownGrasp(p[3 * k] + dx, p[3 * k + 1], p[3 * k + 2] + dz, Math.PI / 4), gapM: 0.08, geometry: ARM6_GRIPPER };
    c.step(DT, col, g);
    for (let gap = 0.07; gap >= 0; gap -= 0.01) { g.gapM = gap; c.step(DT, col, g); }
    assert.ok(!c.held, `tcp ${dz} above, ${dx} off`);
  }
});

test('corners, triangles and the bin test', () => {
  const c = new Cloth({ rows: 3, cols: 4, sizeM: [0.2, 0.3] }, { xM: 1, yM: 2, zM: 0, yawRad: 0 });
  const p = c.positions;
  const at = (corner: ClothCorner) => { const i = c.cornerIndex(corner); return [p[3 * i], p[3 * i + 1]]; };
  assert.deepEqual(at('near_left'), [0.9, 2.15]);
  assert.deepEqual(at('near_right'), [0.9, 1.85]);
  assert.deepEqual(at('far_left'), [1.1, 2.15]);
  assert.deepEqual(at('far_right'), [1.1, 1.85]);
  const tri = c.triangleIndices();
  assert.equal(tri.length, 2 * 3 * 2 * 3);
  assert.equal(c.triangleIndices(), tri, 'built once');
  for (let t = 0; t < tri.length; t += 3) {
    const [a, b, d] = [tri[t], tri[t + 1], tri[t + 2]];
    const cross = (p[3 * b] - p[3 * a]) * (p[3 * d + 1] - p[3 * a + 1]) - (p[3 * b + 1] - p[3 * a + 1]) * (p[3 * d] - p[3 * a]);
    assert.ok(cross > 0, 'counter-clockwise from above');
  }
  const bin = { centerXM: 1, centerYM: 2, sizeXM: 0.25, sizeYM: 0.4, baseZM: -0.05, heightM: 0.1 };
  assert.ok(c.isInBin(bin));
  assert.ok(!c.isInBin({ ...bin, heightM: 0.04 }), 'above the rim');
  assert.equal(c.fractionInBin({ ...bin, sizeXM: 0.15 }), 4 / 12, 'the middle row only');
  assert.throws(() => new Cloth({ rows: 1 }), /Cloth config: rows must be/);
  assert.throws(() => new Cloth({ iterations: 0 }), /iterations/);
});
