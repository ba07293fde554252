// The recorder's bad inputs, end to end through the armstack CLI: a camera that stops delivering, and corrupt,
// truncated or random files given to `episodes`, `recover` and `export`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'armstack-recorder-bad-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TASK = ['--task', 'pick the towel by a corner and drop it in the bin', '--object', 'towel'];
// Raw frames need no OpenCV, so these run the same everywhere; JPEG is covered by recorder-commands.test.ts.
const RAW = ['--raw', '--camera', 'overhead,wrist'];

/** A user error: one line naming the problem, exit 2, never a stack trace. */
function assertUserError(run: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr.trim().split('\n').pop()!, /^armstack: /, 'the error is the last line');
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

describe('recorder bad input through the CLI', () => {
  it('a camera that stops delivering: the episode goes on, and episodes reports the gap', { timeout: 120_000 }, async () => {
    const dir = join(root, 'dropout');
    const run = await runCli(['record', ...TASK, ...RAW, '--seconds', '3', '--camera-dropout', 'wrist:1-2', '--out', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^episode 0: complete \(time_limit\)/m);
    assert.match(run.stderr, /\/wrist\/image_raw: gap of [\d.]+ s/, 'the gap is logged as it happens');
    const json = await runCli(['episodes', dir, '--json']);
    const [row] = JSON.parse(json.stdout) as { complete: boolean; gaps: { count: number; totalS: number }; frames: Record<string, number> }[];
    assert.equal(row.complete, true);
    assert.equal(row.gaps.count, 1);
    assert.ok(row.gaps.totalS >= 0.9 && row.gaps.totalS <= 1.2, `gap of ${row.gaps.totalS} s`);
    assert.equal(row.frames['/overhead/image_raw'], 91);
    assert.ok(row.frames['/wrist/image_raw'] <= 62, `wrist frames ${row.frames['/wrist/image_raw']}`);
    const single = await runCli(['episodes', join(dir, 'episode_000000.mcap'), '--json']);
    assert.equal((JSON.parse(single.stdout) as unknown[]).length, 1, 'one file lists that episode');
  });

  it('corrupt, truncated and random files: a clear error naming the file, exit 2, no stack trace', { timeout: 120_000 }, async () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    const random = join(dir, 'random.mcap');
    writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
    // Apart: recovering it writes beside it, while the other runs list `dir`.
    mkdirSync(join(root, 'magic'));
    const magicOnly = join(root, 'magic', 'magic.mcap');
    writeFileSync(magicOnly, Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a, 1, 2, 3]));
    const truncated = join(dir, 'episode_000000.mcap');
    copyFileSync(join(root, 'dropout', 'episode_000000.mcap'), truncated);
    truncateSync(truncated, 30_000);

    // Independent runs, started together: each is mostly the CLI's start-up.
    const [episodesRandom, episodesTruncated, recoverRandom, recoverMagic, exportFile, exportDir] = await Promise.all([
      runCli(['episodes', random]), runCli(['episodes', truncated]), runCli(['recover', random]), runCli(['recover', magicOnly]),
      runCli(['export', 'lerobot', random, '--out', join(root, 'ds1')]), runCli(['export', 'lerobot', dir, '--out', join(root, 'ds2')]),
    ]);
    assertUserError(episodesRandom, /episodes: .*random\.mcap cannot be read \(corrupt\).*not an MCAP file/);
    assertUserError(episodesTruncated, /episodes: .*episode_000000\.mcap cannot be read \(truncated\).*no footer/);
    assertUserError(recoverRandom, /recoverMcap: .*random\.mcap is not an MCAP file/);
    assertUserError(recoverMagic, /recover: .*magic\.mcap holds nothing recoverable/);
    assertUserError(exportFile, /random\.mcap is not an MCAP file/);
    assertUserError(exportDir, /no episode could be exported/);
    assert.match(exportDir.stderr, /warning: skipping random: unreadable \(.*random\.mcap is not an MCAP file/);
  });
});
