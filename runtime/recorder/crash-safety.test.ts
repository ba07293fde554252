// kill -9 in the middle of an episode: everything stamped more than 1 s before the kill must come back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { normalizeForCompare } from '../messages/cdr/testing/cdr-test-helpers.js';
import { MemoryRandomReader } from './random-reader.js';
import { readMcapSummary } from './read-mcap-summary.js';
import { recoverMcap } from './recover-mcap.js';
import { jointState, readBack, withTempDir } from './testing/mcap-test-helpers.js';

const SCRIPT = new URL('./testing/crash-writer.ts', import.meta.url).pathname;
const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const RUN_MS = 2500;

describe('crash safety', () => {
  it('recovers every message stamped up to 1 s before a kill -9', { timeout: 60_000 }, async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'episode.mcap');
      const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, path], {
        cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

      // Let it record for RUN_MS of its own stamps, then kill it without warning.
      const killTimeNs = await new Promise<bigint>((resolve, reject) => {
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
              resolve(now);
              child.stdout.removeAllListeners('data');
              return;
            }
          }
        });
        child.on('exit', () => reject(new Error(`crash-writer exited early: ${stderr}`)));
      });
      assert.equal(await exited, 'SIGKILL');

      await assert.rejects(readMcapSummary(path), (e: unknown) => e instanceof UserError && /incomplete/.test(e.message));
      const out = join(dir, 'recovered.mcap');
      const result = await recoverMcap(path, out);
      const { messages } = await readBack(new MemoryRandomReader(readFileSync(out)));
      const joints = messages.filter((m) => m.topic === '/joint_states');
      assert.equal(result.messages, messages.length);
      assert.ok(joints.length > 100, `only ${joints.length} joint states recovered`);

      // Recovered joint states are exactly seq 0..k, each the message that was written.
      for (const [i, m] of joints.entries()) {
        assert.equal((m.msg.header as { frame_id: string }).frame_id, String(i), 'no gaps');
        assert.deepEqual(normalizeForCompare(m.msg), normalizeForCompare(jointState(i, m.logTime)));
      }
      // Stamps increase, so "the last recovered one is at most 1 s before the kill" means none older is missing.
      const lastNs = joints[joints.length - 1].logTime;
      const lagMs = Number(killTimeNs - lastNs) / 1e6;
      assert.ok(lagMs <= 1000, `the newest recovered joint state is ${lagMs} ms older than the kill`);
      assert.equal(result.lastMessageTimeNs, messages.reduce((t, m) => (m.logTime > t ? m.logTime : t), 0n));
      const summary = await readMcapSummary(out);
      assert.equal(summary.metadata[0]?.metadata.operator, 'Zoë');
    });
  });
});
