import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSimWorld } from './sim-arm-driver.js';
import { SimCamera } from './sim-camera.js';

const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('SimCamera', () => {
  it('knows its features before connect and refuses to capture until connected', () => {
    const { world } = createSimWorld({ seed: 1 });
    const cam = SimCamera.overhead(world, { fps: 15 });
    assert.deepEqual(cam.info, { name: 'overhead', width: 640, height: 480, fps: 15, encoding: 'rgb8' });
    assert.equal(cam.read(), undefined);
    assert.throws(() => cam.capture(0n), /SimCamera#capture: camera "overhead" is not connected; call connect\(\) first/);
  });

  it('captures at its fps in sim time, stamped with the capture time', async () => {
    const { world } = createSimWorld({ seed: 1 });
    const cam = SimCamera.overhead(world, { fps: 30 });
    await cam.connect();
    const stamps: bigint[] = [];
    // A 100 Hz loop for half a second of sim time: 15 frames at 30 fps.
    for (let k = 0; k < 50; k++) {
      const now = BigInt(k) * 10_000_000n;
      world.step(0.01);
      if (cam.poll(now)) stamps.push(cam.read()!.stampNs);
    }
    assert.equal(stamps.length, 15);
    assert.equal(stamps[0], 0n);
    for (let i = 1; i < stamps.length; i++) {
      const gap = stamps[i] - stamps[i - 1];
      assert.ok(gap >= 30_000_000n && gap <= 40_000_000n, `gap ${gap} ns`);
    }
    const f = cam.read()!;
    assert.equal(f.seq, 15);
    assert.equal(f.data.length, 640 * 480 * 3);
    assert.ok(f.data.buffer instanceof SharedArrayBuffer);
  });

  it('renders the world as it is at capture time, and keeps the previous frame intact', async () => {
    const { world } = createSimWorld({ seed: 2 });
    const cam = SimCamera.overhead(world);
    await cam.connect();
    const first = cam.capture(0n);
    const firstDigest = digest(first.data);
    world.objects[0].pose.position.x += 0.05;
    const second = cam.capture(33_000_000n);
    assert.notEqual(digest(second.data), firstDigest);
    assert.equal(digest(first.data), firstDigest, 'double-buffered');
    const other = createSimWorld({ seed: 2 }).world;
    other.objects[0].pose.position.x += 0.05;
    const again = SimCamera.overhead(other);
    await again.connect();
    assert.equal(digest(again.capture(0n).data), digest(second.data), 'deterministic');
  });

  it('readFresh resolves on the next capture and rejects on timeout naming the camera', async () => {
    const { world } = createSimWorld({ seed: 3 });
    const cam = SimCamera.wrist(world);
    await cam.connect();
    const pending = cam.readFresh(0, 1000);
    cam.capture(5n);
    assert.equal((await pending).seq, 1);
    await assert.rejects(cam.readFresh(1, 20), /SimCamera 'wrist'#readFresh: no frame newer than seq 1 within 20 ms/);
    const info = cam.cameraInfo();
    assert.equal(info.header.frame_id, 'wrist_camera_optical_frame');
    assert.deepEqual([info.width, info.height], [640, 480]);
    assert.equal(info.k[0], cam.view.camera.intrinsics.fx);
    await cam.disconnect();
    assert.equal(cam.poll(1_000_000_000n), false);
  });
});
