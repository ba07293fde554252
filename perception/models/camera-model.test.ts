import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PinholeCamera, lookAtPose } from './camera-model.js';

const camera = () => new PinholeCamera({
  name: 'test',
  intrinsics: { width: 640, height: 480, fx: 500, fy: 510, cx: 319.5, cy: 239.5 },
  poseInBase: lookAtPose({ x: 0.3, y: 0.1, z: 1.2 }, { x: 0.4, y: 0, z: 0 }, { x: 1, y: 0, z: 0 }),
});

describe('PinholeCamera', () => {
  it('projects and back-projects onto a plane consistently', () => {
    const cam = camera();
    const px = { u: 0, v: 0, depthM: 0 }, p = { x: 0, y: 0, z: 0 };
    for (const [x, y, z] of [[0.4, 0, 0], [0.6, -0.3, 0.05], [0.1, 0.4, 0.02]]) {
      cam.project(x, y, z, px);
      assert.ok(px.depthM > 0);
      assert.ok(cam.backprojectToPlaneZ(px.u, px.v, z, p));
      assert.ok(Math.hypot(p.x - x, p.y - y) < 1e-9, `(${x}, ${y}, ${z}) came back as (${p.x}, ${p.y})`);
    }
    // The look-at target lands on the principal point; image up is base +x.
    cam.project(0.4, 0, 0, px);
    assert.ok(Math.abs(px.u - 319.5) < 1e-9 && Math.abs(px.v - 239.5) < 1e-9);
    const ahead = { u: 0, v: 0, depthM: 0 };
    cam.project(0.5, 0, 0, ahead);
    assert.ok(ahead.v < px.v, 'farther from the arm is higher in the image');
  });

  it('scaled() matches an area downscale: low-res pixel X is centred on full-res 4X + 1.5', () => {
    const cam = camera(), small = cam.scaled(4);
    assert.deepEqual([small.intrinsics.width, small.intrinsics.height], [160, 120]);
    const a = { u: 0, v: 0, depthM: 0 }, b = { u: 0, v: 0, depthM: 0 };
    cam.project(0.55, -0.2, 0.03, a);
    small.project(0.55, -0.2, 0.03, b);
    assert.ok(Math.abs(4 * b.u + 1.5 - a.u) < 1e-9 && Math.abs(4 * b.v + 1.5 - a.v) < 1e-9);
    assert.throws(() => cam.scaled(7), /does not divide by factor 7/);
  });

  it('describes itself as sensor_msgs/CameraInfo', () => {
    const info = camera().cameraInfo('test_optical', { sec: 3, nanosec: 4 });
    assert.equal(info.header.frame_id, 'test_optical');
    assert.deepEqual(Array.from(info.k), [500, 0, 319.5, 0, 510, 239.5, 0, 0, 1]);
    assert.deepEqual(Array.from(info.p), [500, 0, 319.5, 0, 0, 510, 239.5, 0, 0, 0, 1, 0]);
    assert.equal(info.distortion_model, 'plumb_bob');
    assert.deepEqual([info.width, info.height], [640, 480]);
  });

  it('refuses bad intrinsics and degenerate look-at poses', () => {
    assert.throws(() => new PinholeCamera({ name: 'x', intrinsics: { width: 0, height: 1, fx: 1, fy: 1, cx: 0, cy: 0 }, poseInBase: camera().poseInBase }),
      /PinholeCamera#constructor: "x" intrinsics.width must be > 0/);
    assert.throws(() => lookAtPose({ x: 0, y: 0, z: 1 }, { x: 0, y: 0, z: 0 }, { x: 0, y: 0, z: 1 }), /parallel to up/);
  });
});
