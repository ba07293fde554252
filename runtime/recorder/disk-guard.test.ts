// The disk-space guard and a full disk: low free space ends the episode cleanly (incomplete, `disk_low`, a valid
// MCAP); ENOSPC while writing ends it as `disk_full` with the sidecar still finalized, and recovery gets back
// every message whose chunk reached the file. First with injected statfs and sink, then on a real 8 MiB tmpfs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Opcode } from '@mcap/core';
import { UserError } from '../errors.js';
import type { IAppendable } from './appendable.js';
import { EpisodeRecorder } from './episode-recorder.js';
import { readSidecar, type EpisodeSidecar } from './episode-sidecar.js';
import { FileAppendable } from './file-appendable.js';
import { MemoryRandomReader } from './random-reader.js';
import { readMcapSummary } from './read-mcap-summary.js';
import { recoverMcap } from './recover-mcap.js';
import { FakeClock, TOWEL, graphRig, noiseFrame } from './testing/recorder-fixtures.js';
import { readBack, withTempDir } from './testing/mcap-test-helpers.js';
import { withTmpfs } from './testing/tmpfs.js';

const quiet = (): void => undefined;
const MIB = 1024 * 1024;

/** A file that runs out of room after `limit` bytes: the write that does not fit lands partly, then ENOSPC. */
class FullDiskSink implements IAppendable {
  /** Joint states published before the last chunk that reached the file: all of them must be recoverable. */
  flushedJointStates = 0;
  constructor(readonly inner: FileAppendable, readonly limit: number, readonly published: () => number) {}
  append(data: Uint8Array): void {
    const room = this.limit - this.inner.position();
    if (data.byteLength > room) {
      if (room > 0) this.inner.append(data.subarray(0, room));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    this.inner.append(data);
    if (data[0] === Opcode.CHUNK) this.flushedJointStates = this.published();
  }
  position(): number {
    return this.inner.position();
  }
  checkpoint(): void {
    this.inner.checkpoint();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function recoveredJointStates(mcapPath: string, outPath: string): Promise<number[]> {
  await recoverMcap(mcapPath, outPath);
  const { messages } = await readBack(new MemoryRandomReader(readFileSync(outPath)));
  return messages.filter((m) => m.topic === '/joint_states').map((m) => Number((m.msg.header as { frame_id: string }).frame_id));
}

describe('disk guard', () => {
  it('refuses to start when the disk is already low', async () => {
    await withTempDir(async (dir) => {
      const recorder = new EpisodeRecorder({ outputDir: dir, minFreeBytes: 100 * MIB }, {
        clock: new FakeClock(), log: quiet, statfs: async () => ({ bavail: 10, bsize: 4096 }),
      });
      await assert.rejects(recorder.start(TOWEL), (e: unknown) => e instanceof UserError && /only 40\.0 KiB free/.test(e.message));
      await recorder.close();
    });
  });

  it('ends the episode cleanly as incomplete (disk_low) when free space falls below the line', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const rig = graphRig();
      let freeBytes = 1024 * MIB;
      const recorder = new EpisodeRecorder({ outputDir: dir, minFreeBytes: 64 * MIB, resetTimeS: 0, monitorIntervalMs: 0 }, {
        clock, node: rig.node, log: quiet, statfs: async () => ({ bavail: Math.floor(freeBytes / 4096), bsize: 4096 }),
      });
      const started = await recorder.start(TOWEL);
      for (let i = 0; i < 30; i++) rig.tick(clock.advanceS(1 / 30), i);
      assert.equal((await recorder.checkDisk())?.low, false);
      freeBytes = 10 * MIB;
      const check = await recorder.checkDisk();
      assert.equal(check?.low, true);
      const sidecar = await recorder.whenStopped();
      assert.equal(sidecar.reason, 'disk_low');
      assert.equal(sidecar.complete, false);
      assert.equal(sidecar.status, 'incomplete');
      assert.equal(sidecar.mcap.hasFooter, true, 'the MCAP was finished properly');
      const summary = await readMcapSummary(started.mcapPath);
      assert.equal(summary.channels.find((c) => c.topic === '/joint_states')?.messageCount, 30n);
      assert.equal(summary.metadata.find((m) => m.name === 'episode_end')?.metadata.reason, 'disk_low');
      await recorder.close();
    });
  });

  it('on ENOSPC ends the episode as disk_full, finalizes the sidecar, and loses nothing already flushed', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const rig = graphRig();
      let published = 0;
      let sink: FullDiskSink | undefined;
      const recorder = new EpisodeRecorder({ outputDir: dir, imageFormat: 'raw', resetTimeS: 0, monitorIntervalMs: 0 }, {
        clock, node: rig.node, log: quiet, statfs: async () => ({ bavail: 1 << 30, bsize: 4096 }),
        openSink: (path) => (sink = new FullDiskSink(FileAppendable.create(path), 3 * MIB, () => published)),
      });
      recorder.addCamera({ name: 'overhead', width: 160, height: 120, fps: 30, encoding: 'rgb8' });
      const started = await recorder.start(TOWEL);
      for (let i = 0; i < 600 && recorder.phase === 'recording'; i++) {
        published = i;
        const t = clock.advanceS(1 / 30);
        rig.tick(t, i);
        recorder.pushFrame('overhead', noiseFrame(160, 120, i + 1, t));
      }
      assert.notEqual(recorder.phase, 'recording', 'the sink ran out of room');
      const sidecar: EpisodeSidecar = await recorder.whenStopped();
      await recorder.close();
      assert.equal(sidecar.reason, 'disk_full');
      assert.equal(sidecar.complete, false);
      assert.equal(sidecar.mcap.hasFooter, false);
      assert.ok(sidecar.errors.some((e) => /ENOSPC/.test(e)), sidecar.errors.join('\n'));
      assert.deepEqual(readSidecar(started.sidecarPath).reason, 'disk_full');
      await assert.rejects(readMcapSummary(started.mcapPath), /incomplete/);
      const seqs = await recoveredJointStates(started.mcapPath, join(dir, 'recovered.mcap'));
      assert.deepEqual(seqs, seqs.map((_, i) => i), 'a gapless prefix');
      assert.ok(sink!.flushedJointStates > 10);
      assert.ok(seqs.length >= sink!.flushedJointStates, `${seqs.length} recovered, ${sink!.flushedJointStates} were flushed`);
    });
  });

  it('on a real 8 MiB tmpfs: the guard ends the episode (disk_low) before the disk is full', { timeout: 60_000 }, async (t) => {
    await withTmpfs(t, 8 * MIB, async (dir) => {
      const clock = new FakeClock();
      const rig = graphRig();
      const recorder = new EpisodeRecorder(
        { outputDir: dir, imageFormat: 'raw', minFreeBytes: 3 * MIB, resetTimeS: 0, monitorIntervalMs: 0 },
        { clock, node: rig.node, log: quiet },
      );
      recorder.addCamera({ name: 'overhead', width: 160, height: 120, fps: 30, encoding: 'rgb8' });
      const started = await recorder.start(TOWEL);
      for (let i = 0; i < 900 && recorder.phase === 'recording'; i++) {
        const t = clock.advanceS(1 / 30);
        rig.tick(t, i);
        recorder.pushFrame('overhead', noiseFrame(160, 120, i + 1, t));
        // statfs answers on the thread pool: give it a turn, as a real camera's frame period would.
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      }
      assert.notEqual(recorder.phase, 'recording', 'the guard stopped the episode');
      const sidecar = await recorder.whenStopped();
      await recorder.close();
      assert.equal(sidecar.reason, 'disk_low');
      assert.equal(sidecar.mcap.hasFooter, true);
      const summary = await readMcapSummary(started.mcapPath);
      assert.ok(summary.messageCount > 50n);
      assert.equal(readSidecar(started.sidecarPath).status, 'incomplete');
    });
  });

  it('on a real 8 MiB tmpfs with a blind guard: ENOSPC ends the episode (disk_full), the sidecar still lands', { timeout: 60_000 }, async (t) => {
    await withTempDir(async (outside) => {
      await withTmpfs(t, 8 * MIB, async (dir) => {
        const clock = new FakeClock();
        const rig = graphRig();
        const recorder = new EpisodeRecorder({ outputDir: dir, imageFormat: 'raw', resetTimeS: 0, monitorIntervalMs: 0 }, {
          clock, node: rig.node, log: quiet, statfs: async () => ({ bavail: 1 << 30, bsize: 4096 }),
        });
        recorder.addCamera({ name: 'overhead', width: 160, height: 120, fps: 30, encoding: 'rgb8' });
        const started = await recorder.start(TOWEL);
        let i = 0;
        for (; i < 2000 && recorder.phase === 'recording'; i++) {
          const t = clock.advanceS(1 / 30);
          rig.tick(t, i);
          recorder.pushFrame('overhead', noiseFrame(160, 120, i + 1, t));
        }
        assert.notEqual(recorder.phase, 'recording', 'the tmpfs filled');
        const sidecar = await recorder.whenStopped();
        await recorder.close();
        assert.equal(sidecar.reason, 'disk_full');
        const onDisk = readSidecar(started.sidecarPath);
        assert.equal(onDisk.status, 'incomplete');
        assert.equal(onDisk.reason, 'disk_full');
        const seqs = await recoveredJointStates(started.mcapPath, join(outside, 'recovered.mcap'));
        assert.deepEqual(seqs, seqs.map((_, k) => k), 'a gapless prefix');
        // Chunks close at 1 MiB: what was lost is at most the last chunk (about 17 frames of 57.6 KB).
        assert.ok(seqs.length > i - 40, `${seqs.length} of ${i} joint states recovered`);
      });
    });
  });
});
