import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { topDownGrasp } from '../../runtime/robot/index.js';
import { createSimWorld } from '../sim-arm-driver.js';
import { ARM6_HOME_POSITIONS } from '../world.js';
import { ArmLinkPoses } from './arm-links.js';
import { AMBIENT, BIN_RGB, DIFFUSE, LIGHT_DIR, TABLE_TOP_RGB, boxRgb } from './palette.js';
import type { Rgb } from './palette.js';
import { SceneRenderer, objectTopId } from './scene-renderer.js';
import { overheadView, wristView } from './sim-views.js';

const W = 640, H = 480;
const frame = () => new Uint8Array(3 * W * H);
const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** The byte colour of an upward-facing surface. */
const topColor = (rgb: Rgb) => rgb.map((c) => Math.round(255 * Math.min(1, c * (AMBIENT + DIFFUSE * LIGHT_DIR[2]))));

function pixelAt(buf: Uint8Array, u: number, v: number): number[] {
  const o = 3 * (Math.round(v) * W + Math.round(u));
  return [buf[o], buf[o + 1], buf[o + 2]];
}

describe('SceneRenderer', () => {
  it('renders the same bytes for the same seed and state, and different bytes for another seed', () => {
    const a = createSimWorld({ seed: 11 }), b = createSimWorld({ seed: 11 }), c = createSimWorld({ seed: 12 });
    const outA = frame(), outB = frame(), outC = frame();
    const view = overheadView();
    SceneRenderer.forWorld(a.world).renderWorld(a.world, view, outA);
    const rb = SceneRenderer.forWorld(b.world);
    rb.renderWorld(b.world, view, outB);
    assert.equal(digest(outA), digest(outB));
    rb.renderWorld(b.world, view, outB);
    assert.equal(digest(outA), digest(outB), 'rendering again changes nothing');
    SceneRenderer.forWorld(c.world).renderWorld(c.world, view, outC);
    assert.notEqual(digest(outA), digest(outC));
  });

  it('draws each box, the table and the bins where the overhead camera model projects them', () => {
    const { world } = createSimWorld({ seed: 3, boxes: 6 });
    // Arm out of the way (pointing back over the base), so every box is in plain view.
    const q = Float64Array.from(ARM6_HOME_POSITIONS);
    q[0] = Math.PI;
    world.dynamics.setPositions(q);
    const r = SceneRenderer.forWorld(world), view = overheadView(), out = frame(), ids = new Uint8Array(W * H);
    r.renderWorld(world, view, out, ids);
    const px = { u: 0, v: 0, depthM: 0 };
    world.objects.forEach((o, k) => {
      const p = o.pose.position;
      view.camera.project(p.x, p.y, p.z + o.size.z / 2, px);
      assert.equal(ids[Math.round(px.v) * W + Math.round(px.u)], objectTopId(k), `${o.id} top face at (${px.u.toFixed(1)}, ${px.v.toFixed(1)})`);
      assert.deepEqual(pixelAt(out, px.u, px.v), topColor(boxRgb(o.color)), `${o.id} colour`);
      // And back: the pixel meets the box top plane at the box centre.
      const hit = { x: 0, y: 0, z: 0 };
      assert.ok(view.camera.backprojectToPlaneZ(px.u, px.v, p.z + o.size.z / 2, hit));
      assert.ok(Math.hypot(hit.x - p.x, hit.y - p.y) < 1e-9);
    });
    view.camera.project(0.78, -0.48, 0, px);
    assert.deepEqual(pixelAt(out, px.u, px.v), topColor(TABLE_TOP_RGB), 'table corner');
    for (const b of world.bins) {
      view.camera.project(b.centerXM, b.centerYM, b.baseZM + b.floorM, px);
      assert.ok(px.u >= 0 && px.u < W && px.v >= 0 && px.v < H, `bin ${b.number} in view`);
      assert.deepEqual(pixelAt(out, px.u, px.v), topColor(BIN_RGB), `bin ${b.number} floor`);
    }
  });

  it('the wrist camera follows the tool and sees the box below it', () => {
    const { world, kinematics } = createSimWorld({ seed: 5, boxes: 1 });
    const box = world.objects[0], p = box.pose.position;
    const ik = kinematics.ik(topDownGrasp(p.x, p.y, 0.3, 0), ARM6_HOME_POSITIONS);
    assert.ok(ik.ok);
    world.dynamics.setPositions([...ik.q, 0.04]);
    const r = SceneRenderer.forWorld(world), view = wristView(), out = frame(), ids = new Uint8Array(W * H);
    r.renderWorld(world, view, out, ids);
    const px = { u: 0, v: 0, depthM: 0 };
    view.camera.project(p.x, p.y, p.z + box.size.z / 2, px);
    assert.ok(px.depthM > 0.25 && px.depthM < 0.4, `depth ${px.depthM}`);
    assert.equal(ids[Math.round(px.v) * W + Math.round(px.u)], objectTopId(0));
    // The optical axis is tool Z (pointing down here).
    assert.ok(view.camera.rotation[8] < -0.99);
  });

  it('walks the same link poses as Kinematics.linkPoses, plus the fingers', () => {
    const { description, kinematics } = createSimWorld({ seed: 1 });
    const links = new ArmLinkPoses(description);
    const q = [0.3, -1.2, 1.1, -0.4, 0.7, 0.2, 0.03];
    links.update(q);
    for (const { link, pose } of kinematics.linkPoses(q)) {
      const i = links.indexOf(link), t = links.transforms;
      assert.ok(i >= 0, link);
      const d = Math.hypot(t[12 * i + 9] - pose.position.x, t[12 * i + 10] - pose.position.y, t[12 * i + 11] - pose.position.z);
      assert.ok(d < 1e-9, `${link} off by ${d}`);
    }
    const l = links.indexOf('gripper_finger_left_link'), rr = links.indexOf('gripper_finger_right_link'), t = links.transforms;
    const gap = Math.hypot(t[12 * l + 9] - t[12 * rr + 9], t[12 * l + 10] - t[12 * rr + 10], t[12 * l + 11] - t[12 * rr + 11]);
    assert.ok(Math.abs(gap - 0.06) < 1e-9, `finger frames 2·0.03 apart, got ${gap}`);
  });

  it('adds seeded sensor noise only when asked, repeatably', () => {
    const { world, description } = createSimWorld({ seed: 2 });
    const view = overheadView(), clean = frame(), n1 = frame(), n2 = frame();
    new SceneRenderer({ description }).renderWorld(world, view, clean);
    new SceneRenderer({ description, noise: { seed: 9, stddevLevels: 3 } }).renderWorld(world, view, n1);
    new SceneRenderer({ description, noise: { seed: 9, stddevLevels: 3 } }).renderWorld(world, view, n2);
    assert.equal(digest(n1), digest(n2));
    let diff = 0;
    for (let i = 0; i < clean.length; i++) diff += Math.abs(clean[i] - n1[i]);
    const mean = diff / clean.length;
    assert.ok(mean > 1 && mean < 4, `mean abs noise ${mean.toFixed(2)} levels`);
  });

  it('renders a 640×480 frame (timing reported, not asserted)', (t) => {
    const { world } = createSimWorld({ seed: 4, boxes: 8 });
    const r = SceneRenderer.forWorld(world), out = frame();
    for (const view of [overheadView(), wristView()]) {
      const ms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        r.renderWorld(world, view, out);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      t.diagnostic(`${view.name}: median ${ms[15].toFixed(2)} ms, max ${ms[29].toFixed(2)} ms`);
    }
  });
});
