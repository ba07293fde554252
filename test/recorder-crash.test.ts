// The recorder's crashes, end to end through the armstack CLI: kill -9 in the middle of `armstack record`, then
// `armstack recover`; and a full disk (a real tmpfs).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogEpisodes } from '../runtime/recorder/episode-catalog.js';
import { readSidecar } from '../runtime/recorder/episode-sidecar.js';
import { readMcapSummary } from '../runtime/recorder/read-mcap-summary.js';
import { MemoryRandomReader } from '../runtime/recorder/random-reader.js';
import { readBack } from '../runtime/recorder/testing/mcap-test-helpers.js';
import { withTmpfs } from '../runtime/recorder/testing/tmpfs.js';
import { collect, runCli, spawnCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'armstack-recorder-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TASK = ['--task', 'pick the towel by a corner and drop it in the bin', '--object', 'towel'];
// Raw frames need no OpenCV, so these run the same everywhere; JPEG is covered by recorder-commands.test.ts.
const RAW = ['--raw', '--camera', 'overhead,wrist'];
const PERIOD_NS = 1_000_000_000n / 30n;

describe('recorder crashes through the CLI', () => {
  it('kill -9 mid-episode: recover restores everything up to 1 s before the kill into a valid MCAP', { timeout: 120_000 }, async () => {
    const dir = join(root, 'killed');
    const child = spawnCli(['record', ...TASK, ...RAW, '--seconds', '120', '--full-length', '--progress-every', '0.5', '--out', dir]);
    // Each progress line, stamped on arrival: how far the recording had got (sim seconds) at that wall time.
    const lines: { wallMs: number; simS: number }[] = [];
    let buffered = '';
    const killedAt = new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        buffered += d.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const line of parts) {
          const m = /^recording ([\d.]+)\//.exec(line);
          if (!m) continue;
          lines.push({ wallMs: performance.now(), simS: Number(m[1]) });
          if (performance.now() - lines[0].wallMs >= 2500 && child.exitCode === null) {
            const now = performance.now();
            child.kill('SIGKILL');
            resolve(now);
          }
        }
      });
      child.on('exit', (code, signal) => signal !== 'SIGKILL' && reject(new Error(`record exited by itself (${code}) before the kill`)));
    });
    const result = collect(child);
    const killMs = await killedAt;
    assert.equal((await result).signal, 'SIGKILL');
    const safe = lines.filter((l) => l.wallMs <= killMs - 1000).pop();
    assert.ok(safe && safe.simS > 0, `a progress line at least 1 s before the kill: ${JSON.stringify(lines)}`);

    const mcap = join(dir, 'episode_000000.mcap');
    assert.equal(readSidecar(join(dir, 'episode_000000.json')).status, 'recording', 'the recorder never finished the sidecar');
    const [fresh] = await catalogEpisodes(dir);
    assert.equal(fresh.reason, 'recording', 'a file written seconds ago may still be recording');
    const recover = await runCli(['recover', mcap]);
    assert.equal(recover.code, 0, recover.stderr);
    assert.match(recover.stdout, /was cut short: recovered \d+ messages/);
    assert.match(recover.stdout, /sidecar updated/);
    const sidecar = readSidecar(join(dir, 'episode_000000.json'));
    assert.deepEqual([sidecar.status, sidecar.reason, sidecar.recovered?.file], ['incomplete', 'interrupted', 'episode_000000.recovered.mcap']);

    // Valid by both readers: the indexed summary (footer, statistics) and @mcap/core decoding every message.
    const recovered = join(dir, 'episode_000000.recovered.mcap');
    const summary = await readMcapSummary(recovered);
    assert.equal(summary.profile, 'ros2');
    const { messages } = await readBack(new MemoryRandomReader(readFileSync(recovered)));
    const joints = messages.filter((m) => m.topic === '/joint_states');
    const t0 = joints[0].logTime;
    for (let i = 1; i < joints.length; i++) {
      assert.ok(joints[i].logTime - joints[i - 1].logTime <= PERIOD_NS + 1_000_000n, `no gap in joint states at ${i}`);
    }
    const safeNs = t0 + BigInt(Math.round(safe.simS * 1e9)) - PERIOD_NS;
    assert.ok(joints[joints.length - 1].logTime >= safeNs,
      `joint states end at ${Number(joints[joints.length - 1].logTime - t0) / 1e9} s; ${safe.simS} s were recorded 1 s before the kill`);
    for (const cam of ['/overhead/image_raw', '/wrist/image_raw']) {
      const frames = messages.filter((m) => m.topic === cam && m.logTime <= safeNs).length;
      assert.ok(frames >= Math.floor(safe.simS * 30) - 1, `${cam}: ${frames} frames up to ${safe.simS} s`);
    }

    // A minute later nobody is writing it: `episodes` says interrupted and reads the recovered file.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(mcap, aMinuteAgo, aMinuteAgo);
    const [entry] = await catalogEpisodes(dir);
    assert.deepEqual([entry.complete, entry.reason, entry.dataPath], [false, 'interrupted', recovered]);
  });

  it('a full disk (a real tmpfs): the episode ends cleanly, marked incomplete, and nothing written is lost', { timeout: 120_000 }, async (t) => {
    await withTmpfs(t, 4 * 1024 * 1024, async (dir) => {
      const run = await runCli(['record', ...TASK, ...RAW, '--seconds', '600', '--full-length', '--min-free', '1', '--out', dir]);
      assert.equal(run.code, 1, 'an incomplete episode exits 1');
      assert.match(run.stdout, /^episode 0: incomplete \(disk_low\)/m);
      assert.match(run.stderr, /disk low: .* ending episode 0 as incomplete/);
      const sidecar = readSidecar(join(dir, 'episode_000000.json'));
      assert.deepEqual([sidecar.status, sidecar.reason, sidecar.complete, sidecar.mcap.hasFooter], ['incomplete', 'disk_low', false, true]);
      // The file was finished properly (summary, footer) and holds every message the sidecar counts as written.
      const summary = await readMcapSummary(join(dir, 'episode_000000.mcap'));
      for (const s of sidecar.streams) {
        const channel = summary.channels.find((c) => c.topic === s.topic);
        assert.equal(Number(channel?.messageCount ?? 0), s.written, `${s.topic}: written ${s.written}`);
      }
      assert.ok(sidecar.durationS > 1, `recorded ${sidecar.durationS} s before the guard stopped it`);
      const list = await runCli(['episodes', dir]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /episode_000000 .* no \(disk_low\)/);
    });
  });
});
