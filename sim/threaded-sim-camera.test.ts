import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSimWorld } from './sim-arm-driver.js';
import { SimCamera } from './sim-camera.js';
import { ThreadedSimCamera } from './threaded-sim-camera.js';

describe('ThreadedSimCamera', () => {
  it('renders on its own thread exactly what SimCamera renders on the main thread (boxes, arm, towel), frame after frame', async () => {
    const { world } = createSimWorld({ seed: 3, boxes: 5, cloth: true });
    const inline = SimCamera.overhead(world);
    const threaded = ThreadedSimCamera.overhead(world);
    await inline.connect();
    await threaded.connect();
    try {
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 200; k++) world.step(0.001);
        const stamp = BigInt(i + 1) * 33_000_000n;
        const a = inline.capture(stamp);
        const b = await threaded.capture(stamp);
        assert.equal(b.seq, i + 1);
        assert.equal(b.stampNs, stamp);
        assert.ok(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0, `frame ${i + 1} differs`);
        assert.equal(threaded.read(), b);
      }
      // Straight into a caller's shared buffer (an inference worker's frame slot): the same pixels, no copy.
      const slot = new Uint8Array(new SharedArrayBuffer(640 * 480 * 3 + 16), 16, 640 * 480 * 3);
      const direct = await threaded.capture(99n, slot);
      assert.equal(direct.data, slot);
      assert.equal(direct.stampNs, 99n);
      assert.ok(Buffer.compare(Buffer.from(inline.capture(99n).data), Buffer.from(slot)) === 0, 'the direct render differs');
      await assert.rejects(threaded.capture(1n, new Uint8Array(640 * 480 * 3)), /SharedArrayBuffer/);
      // One capture in flight at a time: a second call shares the first's frame.
      const [x, y] = await Promise.all([threaded.capture(1n), threaded.capture(2n)]);
      assert.equal(x, y);
    } finally {
      await threaded.disconnect();
      await inline.disconnect();
    }
    await assert.rejects(threaded.capture(5n), /not connected/);
  });
});
