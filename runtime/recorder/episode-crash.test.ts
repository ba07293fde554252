// kill -9 of a recording process, then `armstack recover`: every joint state stamped more than 1 s before the
// kill comes back, the sidecar says the episode was interrupted, and the listing reads the recovered file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { catalogEpisodes } from './episode-catalog.js';
import { readSidecar } from './episode-sidecar.js';
import { MemoryRandomReader } from './random-reader.js';
import { readBack, withTempDir } from './testing/mcap-test-helpers.js';
import { runRecorderCli } from './testing/recorder-cli.js';

const CHILD = new URL('./testing/episode-child.ts', import.meta.url).pathname;
const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const RUN_MS = 2500;

describe('episode crash', () => {
  it('recovers an episode whose recorder was killed with kill -9', { timeout: 120_000 }, async () => {
    await withTempDir(async (dir) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const killNs = await new Promise<bigint>((resolve, reject) => {
        let firstNs: bigint | undefined;
        let buffered = '';
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (!line.startsWith('p ')) continue;
            const ns = BigInt(line.split(' ')[2]);
            firstNs ??= ns;
            if (ns - firstNs >= BigInt(RUN_MS) * 1_000_000n) {
              const now = BigInt(Date.now()) * 1_000_000n;
              child.kill('SIGKILL');
              child.stdout.removeAllListeners('data');
              resolve(now);
              return;
            }
          }
        });
        child.on('exit', () => reject(new Error(`episode-child exited early: ${stderr}`)));
      });
      assert.equal(await exited, 'SIGKILL');

      const mcap = join(dir, 'episode_000000.mcap');
      const [fresh] = await catalogEpisodes(dir);
      assert.equal(fresh.reason, 'recording', 'a file written seconds ago may still be recording');
      // A minute later nobody is writing it: the recorder died.
      const aMinuteAgo = new Date(Date.now() - 60_000);
      utimesSync(mcap, aMinuteAgo, aMinuteAgo);
      const [before] = await catalogEpisodes(dir);
      assert.equal(before.complete, false);
      assert.equal(before.reason, 'interrupted');
      assert.equal(before.dataPath, undefined);

      const run = await runRecorderCli(['recover', mcap]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /was cut short: recovered \d+ messages/);
      assert.match(run.stdout, /sidecar updated/);
      const sidecar = readSidecar(join(dir, 'episode_000000.json'));
      assert.equal(sidecar.status, 'incomplete');
      assert.equal(sidecar.reason, 'interrupted');
      assert.equal(sidecar.recovered?.file, 'episode_000000.recovered.mcap');

      const recovered = join(dir, 'episode_000000.recovered.mcap');
      const { messages } = await readBack(new MemoryRandomReader(readFileSync(recovered)));
      const joints = messages.filter((m) => m.topic === '/joint_states');
      assert.ok(joints.length > 100, `only ${joints.length} joint states recovered`);
      joints.forEach((m, i) => assert.equal((m.msg.header as { frame_id: string }).frame_id, String(i), 'no gaps'));
      const lagMs = Number(killNs - joints[joints.length - 1].logTime) / 1e6;
      assert.ok(lagMs <= 1000, `the newest recovered joint state is ${lagMs} ms older than the kill`);
      assert.ok(messages.some((m) => m.topic === '/wrist/image_raw'), 'camera frames came back too');

      const [after] = await catalogEpisodes(dir);
      assert.equal(after.dataPath, recovered);
      assert.equal(after.complete, false);
      const again = await runRecorderCli(['recover', mcap]);
      assert.equal(again.code, 2, 'refuses to replace the recovered file');
      assert.match(again.stderr, /^armstack: .*exists/m);
    });
  });
});
