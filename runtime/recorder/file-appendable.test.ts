import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAppendable } from './file-appendable.js';
import { withTempDir } from './testing/mcap-test-helpers.js';

describe('FileAppendable', () => {
  it('hands every append to the OS at once, so another reader sees it before close', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'out.bin');
      let nowMs = 0;
      const file = FileAppendable.create(path, { nowMs: () => nowMs, syncIntervalMs: 500 });
      file.append(Uint8Array.from([1, 2, 3]));
      file.checkpoint(); // too soon for an fdatasync: must not throw or block
      assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
      nowMs = 600;
      file.append(new Uint8Array(1000).fill(7));
      file.checkpoint(); // starts a background fdatasync
      assert.equal(file.position(), 1003);
      assert.equal(readFileSync(path).length, 1003);
      await file.close();
      await file.close();
      assert.throws(() => file.append(new Uint8Array(1)), /FileAppendable#append: .*out\.bin is closed/);
      assert.throws(() => FileAppendable.create(path), /cannot create .*out\.bin: EEXIST/);
      const replaced = FileAppendable.create(path, { overwrite: true });
      await replaced.close();
      assert.equal(readFileSync(path).length, 0);
    });
  });
});
