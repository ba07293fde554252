import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PinholeCamera, lookAtPose } from './camera-model.js';
import { LocalizerDecoder, squareYawError } from './localizer-decode.js';

const W = 80, H = 60, PLANE = W * H;
const camera = new PinholeCamera({
  name: 'overhead',
  intrinsics: { width: 640, height: 480, fx: 560, fy: 560, cx: 319.5, cy: 239.5 },
  poseInBase: lookAtPose({ x: 0.2, y: 0, z: 1.5 }, { x: 0.2, y: 0, z: 0 }, { x: 1, y: 0, z: 0 }),
});
const table = { xMinM: 0.2, xMaxM: 0.8, yMinM: -0.5, yMaxM: 0.35, topZM: 0 };

function decoder(threshold = 0.4) {
  return new LocalizerDecoder({
    classes: ['red', 'green'], cellsX: W, cellsY: H, cellPx: 8, threshold, table, sizeMeanM: 0.05, sizeScaleM: 0.01,
    input: { width: 160, height: 120, factor: 4 },
  }, camera);
}

/** An ideal top-face mask at input resolution: the share of each 4×4 source block inside the square. */
function faceMask(x: number, y: number, size: number, yaw: number): Float32Array {
  const mask = new Float32Array(160 * 120), p = { x: 0, y: 0, z: 0 }, c = Math.cos(yaw), s = Math.sin(yaw);
  for (let Y = 0; Y < 120; Y++) for (let X = 0; X < 160; X++) {
    let n = 0;
    for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) {
      camera.backprojectToPlaneZ(4 * X + dx, 4 * Y + dy, size, p);
      const lx = c * (p.x - x) + s * (p.y - y), ly = -s * (p.x - x) + c * (p.y - y);
      if (Math.abs(lx) <= size / 2 && Math.abs(ly) <= size / 2) n++;
    }
    mask[Y * 160 + X] = n / 16;
  }
  return mask;
}

/** Outputs as the network would give them for a box whose top centre is at full-res (u, v). */
function outputs(u: number, v: number, yawRad: number, sizeM: number, cls: number) {
  const heat = new Float32Array(2 * PLANE), reg = new Float32Array(5 * PLANE);
  const gx = (u + 0.5) / 8, gy = (v + 0.5) / 8;
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
    const dx = gx - (j + 0.5), dy = gy - (i + 0.5), k = i * W + j;
    heat[cls * PLANE + k] = Math.exp(-(dx * dx + dy * dy) / (2 * 0.75 ** 2));
    reg[k] = dx; reg[PLANE + k] = dy;
    reg[2 * PLANE + k] = Math.cos(4 * yawRad); reg[3 * PLANE + k] = Math.sin(4 * yawRad);
    reg[4 * PLANE + k] = (sizeM - 0.05) / 0.01;
  }
  return { heat, reg };
}

describe('LocalizerDecoder', () => {
  it('recovers the box centre, yaw and size from ideal outputs', () => {
    const x = 0.52, y = -0.13, size = 0.045, yaw = 0.3;
    const px = { u: 0, v: 0, depthM: 0 };
    camera.project(x, y, size, px);
    const { heat, reg } = outputs(px.u, px.v, yaw, size, 1);
    const d = decoder();
    assert.equal(d.decode(heat, reg), 1);
    const det = d.detections[0];
    assert.equal(det.color, 'green');
    assert.ok(Math.hypot(det.xM - x, det.yM - y) < 1e-6, `(${det.xM}, ${det.yM})`);
    assert.ok(Math.abs(det.zM - size / 2) < 1e-6);
    assert.ok(squareYawError(det.yawRad, yaw) < 1e-6);
    assert.ok(Math.abs(det.sizeM - size) < 1e-6);
    assert.ok(det.confidence > 0.4);
  });

  it('takes the yaw from the top-face mask when there is one', () => {
    for (const [x, y, size, yaw] of [[0.5, -0.1, 0.05, 0.2], [0.62, 0.15, 0.04, -0.6], [0.4, -0.3, 0.06, 0.75]]) {
      const px = { u: 0, v: 0, depthM: 0 };
      camera.project(x, y, size, px);
      // Regression says yaw 0: the mask must win.
      const { heat, reg } = outputs(px.u, px.v, 0, size, 0);
      const d = decoder();
      assert.equal(d.decode(heat, reg, faceMask(x, y, size, yaw)), 1);
      const errDeg = (squareYawError(d.detections[0].yawRad, yaw) * 180) / Math.PI;
      assert.ok(errDeg < 3, `yaw ${yaw}: off by ${errDeg.toFixed(2)}°`);
      assert.ok(d.detections[0].yawRad >= -Math.PI / 4 && d.detections[0].yawRad < Math.PI / 4);
    }
  });

  it('reports nothing below the threshold or off the table', () => {
    const px = { u: 0, v: 0, depthM: 0 };
    camera.project(0.5, 0, 0.05, px);
    const weak = outputs(px.u, px.v, 0, 0.05, 0);
    for (let i = 0; i < weak.heat.length; i++) weak.heat[i] *= 0.3;
    assert.equal(decoder(0.4).decode(weak.heat, weak.reg), 0);
    camera.project(0, 0.55, 0.05, px); // over a bin, beside the table
    const off = outputs(px.u, px.v, 0, 0.05, 0);
    assert.equal(decoder().decode(off.heat, off.reg), 0);
  });

  it('compares square yaws modulo a quarter turn', () => {
    assert.ok(Math.abs(squareYawError(Math.PI / 4 - 0.01, -Math.PI / 4 + 0.01) - 0.02) < 1e-12);
    assert.ok(squareYawError(0.1, 0.1 + Math.PI / 2) < 1e-12);
  });
});
