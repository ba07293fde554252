// A small real tmpfs for disk-full tests. Mounting needs root (CI runs as root); elsewhere the test skips with the
// reason, and with CI set it fails instead.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export async function withTmpfs<T>(t: TestContext, sizeBytes: number, fn: (dir: string) => Promise<T>): Promise<T | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const reason = `cannot mount a tmpfs here: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`;
    if (process.env.CI) throw new Error(`${reason} (required when CI is set)`);
    t.skip(reason);
    return undefined;
  }
  try {
    return await fn(dir);
  } finally {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
