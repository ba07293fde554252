// Documents why armstack has its own CDR writer: @foxglove/rosmsg2-serialization 3.1 (on @foxglove/cdr 3.5) sizes
// strings in UTF-16 units, so every non-ASCII string is silently cut short. Its reader is fine.
// If this test starts failing because the bytes agree, the upstream bug is fixed: update README.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@foxglove/rosmsg';
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';
import { ros2msgSchema } from '../schema-text.js';
import { createCdrCodec } from './cdr-codec.js';
import { NON_ASCII_NAMES, normalizeForCompare } from './testing/cdr-test-helpers.js';

const stringDefs = parse(ros2msgSchema('std_msgs/msg/String'), { ros2: true });
const jointDefs = parse(ros2msgSchema('sensor_msgs/msg/JointState'), { ros2: true });
const ours = createCdrCodec('std_msgs/msg/String');
const jointCodec = createCdrCodec('sensor_msgs/msg/JointState');

describe('@foxglove/rosmsg2-serialization', () => {
  it('writes the same bytes as we do for ASCII strings', () => {
    const writer = new MessageWriter(stringDefs);
    assert.deepEqual(writer.writeMessage({ data: 'wrist_roll' }), ours.write({ data: 'wrist_roll' }));
  });

  it('writes wrong bytes for non-ASCII strings: a UTF-16 length prefix and a truncated string', () => {
    const writer = new MessageWriter(stringDefs);
    const reader = new MessageReader(stringDefs);
    for (const data of NON_ASCII_NAMES) {
      const theirs = writer.writeMessage({ data });
      const correct = ours.write({ data });
      assert.notDeepEqual(theirs, correct, data);
      // Their prefix is UTF-16 units + 1; the correct one is UTF-8 bytes + 1.
      assert.equal(new DataView(theirs.buffer, theirs.byteOffset).getUint32(4, true), data.length + 1);
      assert.equal(new DataView(correct.buffer, correct.byteOffset).getUint32(4, true), Buffer.byteLength(data) + 1);
      // The bytes are well-formed CDR, so every reader (theirs too) silently gets a different string back.
      assert.notEqual((reader.readMessage(theirs) as { data: string }).data, data);
      assert.notEqual(ours.read(theirs).data, data);
    }
  });

  it('corrupts the joint names of a JointState without any error', () => {
    const msg = {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'base' },
      name: ['épaule', '肘'], position: [1, 2], velocity: [], effort: [],
    };
    const theirs = new MessageWriter(jointDefs).writeMessage(msg);
    assert.deepEqual(jointCodec.read(theirs).name, ['épaul', '\u0000']);
  });

  it('reads our bytes correctly (Foxglove shows armstack recordings right)', () => {
    const reader = new MessageReader(jointDefs);
    const msg = {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'caméra' },
      name: [...NON_ASCII_NAMES], position: [1, 2, 3, 4], velocity: [], effort: [0.5, 0.5, 0.5, 0.5],
    };
    assert.deepEqual(normalizeForCompare(reader.readMessage(jointCodec.write(msg))), normalizeForCompare(msg));
  });
});
