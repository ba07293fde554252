import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { McapStreamReader } from '@mcap/core';
import { normalizeForCompare } from '../messages/cdr/testing/cdr-test-helpers.js';
import { messageDescriptor, ros2msgSchema } from '../messages/index.js';
import { MemoryAppendable } from './appendable.js';
import { decompressHandlers, loadCompression } from './compression.js';
import { McapEpisodeWriter } from './mcap-episode-writer.js';
import { MemoryRandomReader } from './random-reader.js';
import { readMcapSummary } from './read-mcap-summary.js';
import { jointState, readBack, withTempDir, writeSmallEpisode } from './testing/mcap-test-helpers.js';

describe('McapEpisodeWriter', () => {
  it('round-trips JointState, CompressedImage and DiagnosticArray with non-ASCII names', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'episode.mcap');
      const writer = await McapEpisodeWriter.create(path, { chunkMaxBytes: 2048, flushTimer: false });
      const written = writeSmallEpisode(writer);
      const summary = await writer.close();
      assert.equal(summary.messageCount, BigInt(written.length));

      const { reader, messages } = await readBack(new MemoryRandomReader(readFileSync(path)));
      assert.equal(reader.header.profile, 'ros2');
      assert.equal(messages.length, written.length);
      const sorted = [...written].sort((a, b) => (a.logTime < b.logTime ? -1 : a.logTime > b.logTime ? 1 : 0));
      for (const [i, m] of messages.entries()) {
        assert.equal(m.logTime, sorted[i].logTime);
        assert.equal(m.publishTime, sorted[i].logTime);
      }
      const byTopic = (topic: string, list: Array<{ topic: string; msg: object }>) =>
        list.filter((m) => m.topic === topic).map((m) => normalizeForCompare(m.msg));
      for (const topic of ['/joint_states', '/wrist/image_raw/compressed', '/diagnostics']) {
        assert.deepEqual(byTopic(topic, messages), byTopic(topic, written), topic);
      }
      assert.deepEqual(messages.filter((m) => m.topic === '/joint_states').map((m) => m.sequence), [...Array(40).keys()]);

      for (const channel of reader.channelsById.values()) {
        const schema = reader.schemasById.get(channel.schemaId)!;
        assert.equal(channel.messageEncoding, 'cdr');
        assert.equal(schema.encoding, 'ros2msg');
        assert.match(schema.name, /^[a-z_]+\/msg\/[A-Za-z]+$/);
        assert.equal(new TextDecoder().decode(schema.data), ros2msgSchema(schema.name));
        assert.equal(channel.metadata.get('offered_qos_profiles'), '', 'the ros2 profile requires it');
      }
      assert.ok(reader.chunkIndexes.length > 2, 'several chunks');
      assert.ok(reader.chunkIndexes.some((c) => c.compression === 'zstd'));
      const metadata = [];
      for await (const m of reader.readMetadata()) metadata.push([m.name, Object.fromEntries(m.metadata)]);
      assert.deepEqual(metadata, [
        ['episode', { task: 'plier la serviette', operator: 'Zoë' }],
        ['robot', { arm: 'armstack-6dof', 'joint 肘': 'elbow' }],
      ]);

      const info = await readMcapSummary(path);
      assert.deepEqual(info.channels.map((c) => [c.topic, c.schemaName, c.messageCount]), [
        ['/joint_states', 'sensor_msgs/msg/JointState', 40n],
        ['/wrist/image_raw/compressed', 'sensor_msgs/msg/CompressedImage', 8n],
        ['/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray', 4n],
      ]);
      assert.equal(info.startTimeNs, 1_700_000_000_000_000_000n);
      assert.equal(info.endTimeNs, 1_700_000_000_000_000_000n + 39n * 5_000_000n);
      assert.equal(info.metadata.length, 2);
    });
  });

  it('writes schemas that @foxglove/rosmsg parses and data that Foxglove decodes', async () => {
    const sink = new MemoryAppendable();
    await loadCompression();
    const writer = new McapEpisodeWriter(sink, { flushTimer: false });
    const written = writeSmallEpisode(writer);
    await writer.close();
    const { reader } = await readBack(new MemoryRandomReader(sink.bytes()));
    const readers = new Map<number, MessageReader>();
    for (const schema of reader.schemasById.values()) {
      const defs = parse(new TextDecoder().decode(schema.data), { ros2: true });
      assert.deepEqual(defs[0].definitions.map((d) => d.name), messageDescriptor(schema.name).fields.map((f) => f.name));
      readers.set(schema.id, new MessageReader(defs));
    }
    const decoded = [];
    for await (const m of reader.readMessages({ topics: ['/joint_states'] })) {
      const schemaId = reader.channelsById.get(m.channelId)!.schemaId;
      decoded.push(normalizeForCompare(readers.get(schemaId)!.readMessage(m.data)));
    }
    assert.deepEqual(decoded, written.filter((m) => m.topic === '/joint_states').map((m) => normalizeForCompare(m.msg)));
  });

  it('produces a file a streaming reader validates end to end (CRCs, footer, trailing magic)', async () => {
    await loadCompression();
    const sink = new MemoryAppendable();
    const writer = new McapEpisodeWriter(sink, { chunkMaxBytes: 1000, flushTimer: false });
    const written = writeSmallEpisode(writer);
    await writer.close();
    const stream = new McapStreamReader({ decompressHandlers: decompressHandlers(), validateCrcs: true });
    stream.append(sink.bytes());
    let messages = 0;
    for (let r = stream.nextRecord(); r !== undefined; r = stream.nextRecord()) if (r.type === 'Message') messages++;
    assert.ok(stream.done());
    assert.equal(messages, written.length);
  });

  it('closes a chunk by age (fake clock) and by size, with a checkpoint after each', async () => {
    await loadCompression();
    let nowMs = 0;
    const sink = new MemoryAppendable();
    const writer = new McapEpisodeWriter(sink, { nowMs: () => nowMs, flushTimer: false, chunkMaxAgeMs: 500 });
    const ch = writer.addChannel('/joint_states', 'sensor_msgs/msg/JointState');
    writer.write(ch, 1n, 1n, jointState(0, 1n));
    nowMs = 300;
    writer.write(ch, 2n, 2n, jointState(1, 2n));
    writer.flushIfDue();
    assert.equal(writer.statistics.chunkCount, 0, 'a 300 ms old chunk stays open');
    const before = sink.position();
    nowMs = 500;
    writer.flushIfDue();
    assert.equal(writer.statistics.chunkCount, 1, 'a 500 ms old chunk is closed by the timer');
    assert.ok(sink.position() > before && sink.checkpoints > 0);
    nowMs = 600;
    writer.write(ch, 3n, 3n, jointState(2, 3n));
    nowMs = 1100;
    writer.write(ch, 4n, 4n, jointState(3, 4n));
    assert.equal(writer.statistics.chunkCount, 2, 'a write into a 500 ms old chunk closes it');

    const small = new McapEpisodeWriter(new MemoryAppendable(), { nowMs: () => 0, flushTimer: false, chunkMaxBytes: 1 });
    const c2 = small.addChannel('/joint_states', 'sensor_msgs/msg/JointState');
    for (let i = 0; i < 10; i++) small.write(c2, BigInt(i), BigInt(i), jointState(i, BigInt(i)));
    assert.equal(small.statistics.chunkCount, 10, 'each message fills a 1-byte chunk');
    await writer.close();
    await small.close();
  });

  it('stores chunks of JPEG frames as they are, without trying zstd, and still compresses the rest', async () => {
    await loadCompression();
    const sink = new MemoryAppendable();
    let nowMs = 0;
    const writer = new McapEpisodeWriter(sink, { nowMs: () => nowMs, flushTimer: false, chunkMaxAgeMs: 500 });
    const cam = writer.addChannel('/overhead/image_raw/compressed', 'sensor_msgs/msg/CompressedImage');
    const joints = writer.addChannel('/joint_states', 'sensor_msgs/msg/JointState');
    // Zeros would shrink under zstd: stored uncompressed shows the writer trusted the schema and skipped the attempt.
    const image = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: 'cam' }, format: 'jpeg', data: new Uint8Array(64 * 1024) };
    for (let i = 0; i < 3; i++) writer.write(cam, BigInt(i), BigInt(i), image);
    writer.write(joints, 3n, 3n, jointState(0, 3n));
    nowMs = 600;
    writer.flushIfDue();
    for (let i = 0; i < 50; i++) writer.write(joints, BigInt(10 + i), BigInt(10 + i), jointState(i, BigInt(10 + i)));
    await writer.close();
    const { reader } = await readBack(new MemoryRandomReader(sink.bytes()));
    assert.deepEqual(reader.chunkIndexes.map((c) => c.compression), ['', 'zstd']);
  });

  it('names the problem: unknown channel, bad message, closed writer, existing file', async () => {
    await loadCompression();
    const writer = new McapEpisodeWriter(new MemoryAppendable(), { flushTimer: false });
    const ch = writer.addChannel('/joint_states', 'sensor_msgs/JointState');
    assert.throws(() => writer.write(7, 0n, 0n, jointState(0, 0n)), /McapEpisodeWriter#write: unknown channel 7/);
    assert.throws(
      () => writer.write(ch, 0n, 0n, { ...jointState(0, 0n), position: [1, 'x'] }),
      /JointState\.position\[1\]: expected number, got string/,
    );
    assert.throws(() => writer.write(ch, 0 as unknown as bigint, 0n, jointState(0, 0n)), /must be bigint/);
    assert.throws(() => writer.addChannel('/x', 'nope_msgs/msg/Nope'), /unknown message type "nope_msgs\/msg\/Nope"/);
    await writer.close();
    assert.throws(() => writer.write(ch, 0n, 0n, jointState(0, 0n)), /McapEpisodeWriter#write: the episode is closed/);
    await withTempDir(async (dir) => {
      const path = join(dir, 'taken.mcap');
      writeFileSync(path, 'precious');
      await assert.rejects(McapEpisodeWriter.create(path), /cannot create .*taken\.mcap: EEXIST/);
      assert.equal(readFileSync(path, 'utf8'), 'precious');
    });
  });
});
