import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EpisodeRecorder } from '../../runtime/recorder/episode-recorder.js';
import type { EncodeJob, FrameEncoder } from '../../runtime/recorder/frame-encoder.js';
import { FakeClock, JOINTS, TOWEL, graphRig, rgbFrame } from '../../runtime/recorder/testing/recorder-fixtures.js';
import { withTempDir } from '../../runtime/recorder/testing/mcap-test-helpers.js';
import { EpisodeLibrary } from './episode-library.js';
import { decodeFrame } from './ops-protocol.js';

/** A stand-in "JPEG": SOI, the frame's first pixel byte (unique per frame here), EOI. */
class TagEncoder implements FrameEncoder {
  async ready(): Promise<void> {}
  encode(job: EncodeJob): Promise<Uint8Array> {
    return Promise.resolve(Uint8Array.of(0xff, 0xd8, job.data[0], 0xff, 0xd9));
  }
  async close(): Promise<void> {}
}

describe('EpisodeLibrary on a real MCAP episode', () => {
  it('lists it, loads its joint and camera tracks, and serves the frame nearest a time', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const rig = graphRig();
      const recorder = new EpisodeRecorder(
        { outputDir: dir, imageFormat: 'jpeg', resetTimeS: 0, monitorIntervalMs: 0 },
        { clock, node: rig.node, log: () => undefined, encoder: new TagEncoder(), statfs: async () => ({ bavail: 1n << 30n, bsize: 4096n }) },
      );
      recorder.addCamera({ name: 'wrist', width: 8, height: 6, fps: 10, encoding: 'rgb8' });
      await recorder.start(TOWEL);
      for (let i = 0; i < 30; i++) {
        const t = clock.advanceS(1 / 30);
        rig.tick(t, i);
        if (i % 3 === 0) recorder.pushFrame('wrist', rgbFrame(8, 6, i + 1, t));
      }
      await recorder.stop();
      await recorder.close();

      const lib = new EpisodeLibrary(dir);
      const [entry] = await lib.list();
      assert.equal(entry.name, 'episode_000000');
      assert.equal(entry.complete, true);
      assert.equal(entry.task, TOWEL.task);
      assert.deepEqual(entry.cameras, ['wrist']);

      const ep = await lib.load('episode_000000');
      assert.deepEqual(ep.jointNames, JOINTS);
      assert.equal(ep.t.length, 30);
      assert.equal(ep.t[0], 0);
      assert.ok(Math.abs(ep.t[29] - 29 / 30) < 1e-6);
      assert.ok(Math.abs(ep.positions[10][0] - Math.sin(1.0)) < 1e-4, 'positions are the recorded ones');
      assert.equal(ep.cameras[0].name, 'wrist');
      assert.equal(ep.cameras[0].t.length, 10);

      // Frame i*3 was pushed at t = i*3/30 s; ask a little after the 4th (i = 9, t = 0.3 s).
      const bytes = await lib.frame('episode_000000', 'wrist', 0.31);
      assert.ok(bytes);
      const f = decodeFrame(bytes);
      assert.ok(f);
      assert.equal(f.header.kind, 'replay');
      assert.equal(f.header.seq, 3, 'the 4th frame is the nearest');
      assert.equal(f.jpeg[2], ((9 + 1) * 7) & 0xff, 'the bytes of that frame');
      assert.equal(await lib.frame('episode_000000', 'overhead', 0), undefined);
      await assert.rejects(lib.load('episode_000007'), /no episode named episode_000007/);
    });
  });
});
