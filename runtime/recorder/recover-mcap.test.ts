import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McapStreamReader } from '@mcap/core';
import { UserError } from '../errors.js';
import { MemoryAppendable } from './appendable.js';
import type { ChunkCompression } from './compression.js';
import { decompressHandlers, loadCompression } from './compression.js';
import { McapEpisodeWriter } from './mcap-episode-writer.js';
import { MemoryRandomReader } from './random-reader.js';
import { readMcapSummary, summarizeMcap } from './read-mcap-summary.js';
import { recoverMcap, recoverMcapFrom } from './recover-mcap.js';
import { readBack, withTempDir, writeSmallEpisode } from './testing/mcap-test-helpers.js';

let episode: Uint8Array;
let total: number;

async function recoverBytes(bytes: Uint8Array, compression: ChunkCompression = 'zstd') {
  const out = new MemoryAppendable();
  const result = await recoverMcapFrom(new MemoryRandomReader(bytes), out, { label: 'test.mcap', compression });
  return { result, output: out.bytes() };
}

/** Parses every record with validation on; returns the message count. */
function streamCount(bytes: Uint8Array): number {
  const reader = new McapStreamReader({ decompressHandlers: decompressHandlers(), validateCrcs: true });
  reader.append(bytes);
  let messages = 0;
  for (let r = reader.nextRecord(); r !== undefined; r = reader.nextRecord()) if (r.type === 'Message') messages++;
  assert.ok(reader.done(), 'the output ends with a footer and magic');
  return messages;
}

/** Message counts of each chunk, in file order. */
function messagesPerChunk(bytes: Uint8Array): number[] {
  const reader = new McapStreamReader({ decompressHandlers: decompressHandlers(), includeChunks: true });
  reader.append(bytes);
  const counts: number[] = [];
  for (let r = reader.nextRecord(); r !== undefined; r = reader.nextRecord()) {
    if (r.type === 'Chunk') counts.push(0);
    else if (r.type === 'Message' && counts.length > 0) counts[counts.length - 1]++;
  }
  return counts;
}

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

describe('recoverMcap', () => {
  before(async () => {
    await loadCompression();
    const sink = new MemoryAppendable();
    const writer = new McapEpisodeWriter(sink, { chunkMaxBytes: 1500, flushTimer: false });
    total = writeSmallEpisode(writer).length;
    await writer.close();
    episode = sink.bytes();
  });

  it('copies a complete file whole', async () => {
    const { result, output } = await recoverBytes(episode);
    assert.equal(result.messages, total);
    assert.equal(result.chunksDropped, 0);
    assert.equal(result.bytesDiscarded, 0);
    assert.ok(result.inputWasComplete);
    assert.equal(result.metadata, 2);
    assert.equal(result.lastMessageTimeNs, 1_700_000_000_000_000_000n + 39n * 5_000_000n);
    const original = await readBack(new MemoryRandomReader(episode));
    const recovered = await readBack(new MemoryRandomReader(output));
    assert.deepEqual(recovered.messages, original.messages);
  });

  it('drops a half-written last chunk and keeps every complete one', async () => {
    const { reader } = await readBack(new MemoryRandomReader(episode));
    const chunks = [...reader.chunkIndexes].sort((a, b) => Number(a.chunkStartOffset - b.chunkStartOffset));
    const last = chunks[chunks.length - 1];
    const cut = Number(last.chunkStartOffset) + Number(last.chunkLength) / 2;
    const { result, output } = await recoverBytes(episode.subarray(0, cut));
    const { messages } = await readBack(new MemoryRandomReader(output));
    const inLast = messagesPerChunk(episode).at(-1)!;
    assert.equal(result.messages, total - inLast);
    assert.equal(messages.length, result.messages);
    assert.equal(result.chunksDropped, 1);
    assert.equal(result.chunksRecovered, chunks.length - 1);
    assert.equal(result.bytesDiscarded, cut - Number(last.chunkStartOffset));
    assert.equal(result.metadata, 2, 'metadata goes to the file at once, before the chunk that was open');
  });

  it('never throws anything but a UserError, and always writes a valid file, wherever the file is cut', async () => {
    // Every offset through the header, schemas, channels, metadata and first chunk, and through the summary and
    // footer; a random sample in between (all of them take too long on two shared cores).
    const offsets = new Set<number>();
    for (let n = 0; n < 600; n++) offsets.add(n);
    for (let n = episode.length - 200; n <= episode.length; n++) offsets.add(n);
    for (let k = 0; k < 700; k++) offsets.add(600 + ((random() * (episode.length - 800)) | 0));
    let previous = -1;
    for (const n of [...offsets].sort((a, b) => a - b)) {
      const cut = episode.subarray(0, n);
      let recovered;
      try {
        // Uncompressed output keeps thousands of recoveries fast; compression has its own tests.
        recovered = await recoverBytes(cut, '');
      } catch (e) {
        assert.ok(e instanceof UserError, `offset ${n}: ${String(e)}`);
        assert.ok(n < 8, `offset ${n}: only a file without the full magic is refused (${(e as Error).message})`);
        assert.match((e as Error).message, /not an MCAP file/);
        continue;
      }
      const { result, output } = recovered;
      assert.ok(result.messages >= previous, `offset ${n}: ${result.messages} messages after ${previous}`);
      previous = result.messages;
      // Full checks on a sample: every file is valid, but reading each back would make the test slow.
      if (n % 13 === 0 || n === episode.length) assert.equal(streamCount(output), result.messages, `offset ${n}`);
      if (n < episode.length) {
        await assert.rejects(summarizeMcap(new MemoryRandomReader(cut), 'cut.mcap'), (e: unknown) => {
          assert.ok(e instanceof UserError, `offset ${n}: ${String(e)}`);
          assert.match(e.message, /not an MCAP file|is incomplete: it has no footer/);
          return true;
        });
      }
    }
    assert.equal(previous, total);
  });

  it('drops a corrupt chunk in the middle and keeps the ones after it', async () => {
    const { reader } = await readBack(new MemoryRandomReader(episode));
    const chunks = [...reader.chunkIndexes].sort((a, b) => Number(a.chunkStartOffset - b.chunkStartOffset));
    const victim = chunks[1];
    const broken = episode.slice();
    broken[Number(victim.chunkStartOffset) + Number(victim.chunkLength) - 5] ^= 0xff;
    const { result, output } = await recoverBytes(broken);
    const lost = messagesPerChunk(episode)[1];
    assert.equal(result.chunksDropped, 1);
    assert.equal(result.messages, total - lost);
    assert.equal(result.bytesDiscarded, Number(victim.chunkLength));
    assert.match(result.problems.join('\n'), /dropped record 0x6 at byte \d+/);
    assert.equal(streamCount(output), total - lost);
  });

  it('gives clear errors for random garbage, with or without MCAP magic', async () => {
    const magic = episode.subarray(0, 8);
    for (let i = 0; i < 200; i++) {
      const body = Uint8Array.from({ length: (random() * 400) | 0 }, () => (random() * 256) | 0);
      const bytes = i % 2 === 0 ? body : Uint8Array.from([...magic, ...body]);
      try {
        const { output } = await recoverBytes(bytes);
        streamCount(output);
      } catch (e) {
        assert.ok(e instanceof UserError, `case ${i}: ${String(e)}`);
      }
      await assert.rejects(summarizeMcap(new MemoryRandomReader(bytes), 'garbage.mcap'), UserError);
    }
  });

  it('works on files: writes atomically, refuses to clobber, names the file in errors', async () => {
    await withTempDir(async (dir) => {
      const input = join(dir, 'crashed.mcap');
      writeFileSync(input, episode.subarray(0, episode.length - 300));
      const output = join(dir, 'recovered.mcap');
      const result = await recoverMcap(input, output);
      assert.ok(result.messages > 0);
      assert.deepEqual(readdirSync(dir).sort(), ['crashed.mcap', 'recovered.mcap'], 'no temporary file left');
      assert.equal((await readMcapSummary(output)).messageCount, BigInt(result.messages));
      await assert.rejects(recoverMcap(input, output), /recovered\.mcap already exists/);
      await assert.rejects(recoverMcap(input, input), /the output must be a new file/);
      await assert.rejects(recoverMcap(join(dir, 'missing.mcap'), join(dir, 'x.mcap')), /cannot open .*missing\.mcap: ENOENT/);
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'not a recording at all, just some text');
      await assert.rejects(recoverMcap(text, join(dir, 'y.mcap')), /notes\.txt is not an MCAP file/);
      assert.ok(!existsSync(join(dir, 'y.mcap')));

      await assert.rejects(readMcapSummary(text), /notes\.txt is not an MCAP file/);
      await assert.rejects(readMcapSummary(input), /crashed\.mcap is incomplete: it has no footer.*recoverMcap/);
      await assert.rejects(readMcapSummary(join(dir, 'missing.mcap')), /cannot open .*ENOENT/);
      mkdirSync(join(dir, 'folder.mcap'));
      await assert.rejects(readMcapSummary(join(dir, 'folder.mcap')), UserError);
      const scrambled = readFileSync(output);
      scrambled.fill(0x41, scrambled.length - 200, scrambled.length - 40); // summary and footer fields, magic kept
      const bad = join(dir, 'scrambled.mcap');
      writeFileSync(bad, scrambled);
      await assert.rejects(readMcapSummary(bad), /scrambled\.mcap is corrupt: .*recoverMcap may salvage/);
    });
  });
});
