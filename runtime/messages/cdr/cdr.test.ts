import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldDescriptor } from '../descriptor.js';
import { boundedSequence, defineMessage, field, fixedArray } from '../descriptor.js';
import { defaultMessage } from '../default-message.js';
import { messageDescriptor, messageTypeNames } from '../registry.js';
import { cdrCodecFor, createCdrCodec } from './cdr-codec.js';
import { CdrError } from './cdr-error.js';
import { NON_ASCII_NAMES, normalizeForCompare } from './testing/cdr-test-helpers.js';
import { utf8ByteLength } from './utf8.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const jointState = () => ({
  header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'ab' },
  name: ['x'], position: [1], velocity: [] as number[], effort: [] as number[],
});

// A type with bounds, which no registry type has.
const boundedTags: FieldDescriptor = {
  name: 'tags', type: 'string', isComplex: false, arrayKind: 'bounded', arrayBound: 2, stringBound: 4,
};
const Bounded = defineMessage('armstack_test/msg/Bounded', [
  field('label', 'string', { stringBound: 3 }),
  boundedSequence('values', 'int16', 2),
  fixedArray('k', 'float64', 3),
  boundedTags,
  field('flag', 'bool'),
]);
const resolve = (t: string) => (t === Bounded.typeName ? Bounded : messageDescriptor(t));
const bounded = createCdrCodec(Bounded.typeName, { resolve });
const goodBounded = { label: 'abc', values: [1, 2], k: [1, 2, 3], tags: ['肘'], flag: true };

describe('CDR codec: wire format', () => {
  it('writes the bytes Fast-CDR and Cyclone write (golden JointState)', () => {
    // Checked byte by byte against Cyclone DDS (cdr-cyclone.test.ts does it for many more messages).
    assert.equal(
      hex(cdrCodecFor('sensor_msgs/msg/JointState').write(jointState())),
      '00010000' + '01000000' + '02000000' + '03000000' + '616200' + '00' + '01000000' + '02000000' + '7800' + '0000' +
        '01000000' + '000000000000f03f' + '00000000' + '00000000',
    );
  });

  it('counts string lengths in UTF-8 bytes, NUL included', () => {
    const codec = cdrCodecFor('std_msgs/msg/String');
    assert.equal(hex(codec.write({ data: '肘' })), '00010000' + '04000000' + 'e8829800');
    for (const data of [...NON_ASCII_NAMES, '', 'a\u{10FFFF}b']) {
      const bytes = codec.write({ data });
      assert.equal(new DataView(bytes.buffer).getUint32(4, true), Buffer.byteLength(data) + 1);
      assert.equal(codec.read(bytes).data, data);
    }
    assert.equal(utf8ByteLength('a\uD800b'), Buffer.byteLength('a\uD800b'), 'a lone surrogate is 3 bytes (U+FFFD)');
  });

  it('round-trips the default message of every registry type', () => {
    for (const t of messageTypeNames() as string[]) {
      const codec = createCdrCodec(t);
      const msg = defaultMessage(t);
      const bytes = codec.write(msg);
      assert.equal(bytes.length, codec.size(msg), t);
      assert.deepEqual(normalizeForCompare(codec.read(bytes)), normalizeForCompare(msg), t);
    }
  });

  it('reuses `out` when it is big enough and writes the same bytes into a dirty buffer', () => {
    const codec = cdrCodecFor('sensor_msgs/msg/JointState');
    const fresh = codec.write(jointState());
    const out = new Uint8Array(256).fill(0xee);
    const reused = codec.write(jointState(), out);
    assert.equal(reused.buffer, out.buffer);
    assert.deepEqual(reused, fresh);
    assert.notEqual(codec.write(jointState(), new Uint8Array(4)).length, 4, 'a small out is not used');
  });

  it('copies float64 and uint8 arrays as typed arrays, whatever the input alignment', () => {
    const codec = cdrCodecFor('sensor_msgs/msg/JointState');
    const msg = { ...jointState(), position: new Float64Array([0.5, -1, 3]), effort: [2, 4, 8] };
    const bytes = codec.write(msg);
    const shifted = new Uint8Array(bytes.length + 3).subarray(3);
    shifted.set(bytes);
    const back = codec.read(shifted);
    assert.ok(back.position instanceof Float64Array);
    assert.deepEqual([...back.position], [0.5, -1, 3]);
    shifted.fill(0);
    assert.deepEqual([...back.position], [0.5, -1, 3], 'a copy, not a view of the input');
    const image = cdrCodecFor('sensor_msgs/msg/CompressedImage');
    const data = Uint8Array.from([1, 2, 3, 4, 5]);
    const read = image.read(image.write({ header: jointState().header, format: 'jpeg', data }));
    assert.ok(read.data instanceof Uint8Array);
    assert.deepEqual([...read.data], [1, 2, 3, 4, 5]);
  });

  it('accepts 64-bit integers as bigint or safe-integer numbers and reads them as bigint', () => {
    const probe = defineMessage('armstack_test/msg/Big', [field('a', 'int64'), field('b', 'uint64')]);
    const codec = createCdrCodec(probe.typeName, { resolve: () => probe });
    assert.deepEqual(codec.read(codec.write({ a: -5, b: 2n ** 64n - 1n })), { a: -5n, b: 2n ** 64n - 1n });
  });
});

describe('CDR codec: validation names the field path', () => {
  const codec = cdrCodecFor('sensor_msgs/msg/JointState');

  it('validate() lists each problem with its path', () => {
    const msg = { ...jointState(), position: [1, 2, 3, 'x'], name: 'x' } as unknown as Record<string, unknown>;
    assert.deepEqual(codec.validate(msg), [
      'JointState.name: expected string[] (an array), got string',
      'JointState.position[3]: expected number, got string',
    ]);
    assert.deepEqual(codec.validate(jointState()), []);
    assert.deepEqual(codec.validate({ ...jointState(), header: undefined }), [
      'JointState.header: expected std_msgs/Header, got undefined',
    ]);
    assert.deepEqual(codec.validate({ ...jointState(), header: { stamp: { sec: 1.5, nanosec: -1 }, frame_id: 3 } }), [
      'JointState.header.stamp.sec: expected int32 (integer -2^31..2^31-1), got 1.5',
      'JointState.header.stamp.nanosec: expected uint32 (integer 0..2^32-1), got -1',
      'JointState.header.frame_id: expected string, got 3',
    ]);
  });

  it('write() and size() throw a CdrError with the first problem', () => {
    const bad = { ...jointState(), position: [1, 2, 3, 'x'] } as unknown as Record<string, unknown>;
    assert.throws(() => codec.write(bad as never), (e: unknown) => {
      assert.ok(e instanceof CdrError);
      assert.equal(e.message, 'CdrCodec#write(sensor_msgs/msg/JointState): JointState.position[3]: expected number, got string');
      assert.equal(e.path, 'JointState.position[3]');
      return true;
    });
    assert.throws(() => codec.size({ ...jointState(), name: [1] } as never), /JointState\.name\[0\]: expected string, got 1/);
    assert.throws(
      () => codec.write({ ...jointState(), header: { stamp: { sec: 1n, nanosec: 0 }, frame_id: '' } } as never),
      /JointState\.header\.stamp\.sec: expected int32 \(integer -2\^31\.\.2\^31-1\), got 1/,
    );
  });

  it('enforces bounded sequences, bounded strings and fixed lengths on write', () => {
    assert.deepEqual(bounded.validate(goodBounded), []);
    assert.deepEqual(normalizeForCompare(bounded.read(bounded.write(goodBounded))), normalizeForCompare(goodBounded));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ label: 'abcd' }, /Bounded\.label: string<=3 holds at most 3 UTF-8 bytes, got 4/],
      [{ label: 'é1' }, /Bounded\.label: string<=3 holds at most 3 UTF-8 bytes, got 3|^$/],
      [{ values: [1, 2, 3] }, /Bounded\.values: int16\[<=2\] holds at most 2 elements, got 3/],
      [{ values: [1, 70000] }, /Bounded\.values\[1\]: expected int16 \(integer -32768\.\.32767\), got 70000/],
      [{ k: [1, 2] }, /Bounded\.k: float64\[3\] needs exactly 3 elements, got 2/],
      [{ tags: ['a', 'b', 'c'] }, /Bounded\.tags: string<=4\[<=2\] holds at most 2 elements, got 3/],
      [{ tags: ['肘肘'] }, /Bounded\.tags\[0\]: string<=4 holds at most 4 UTF-8 bytes, got 6/],
      [{ flag: 1 }, /Bounded\.flag: expected boolean, got 1/],
    ];
    for (const [patch, error] of cases) {
      const msg = { ...goodBounded, ...patch };
      if (bounded.validate(msg).length === 0) continue; // 'é1' is exactly 3 bytes: allowed
      assert.throws(() => bounded.write(msg), error);
    }
  });
});

describe('CDR codec: malformed bytes give a clear error, never a hang or a huge allocation', () => {
  const codec = cdrCodecFor('sensor_msgs/msg/JointState');
  const good = codec.write({ ...jointState(), name: ['épaule', '肘'], position: [1, 2] });

  it('refuses bad headers, truncations and left-over bytes', () => {
    assert.throws(() => codec.read(new Uint8Array(2)), /too short for the 4-byte encapsulation header/);
    const be = good.slice();
    be[1] = 0;
    assert.throws(() => codec.read(be), /big-endian CDR/);
    const xcdr2 = good.slice();
    xcdr2[1] = 0x07;
    assert.throws(() => codec.read(xcdr2), /encapsulation kind 0x0007 is not supported/);
    for (let n = 4; n < good.length; n++) assert.throws(() => codec.read(good.subarray(0, n)), CdrError);
    const long = new Uint8Array(good.length + 8);
    long.set(good);
    assert.throws(() => codec.read(long), /8 bytes left over after the message/);
    const padded = new Uint8Array(good.length + 3);
    padded.set(good);
    assert.doesNotThrow(() => codec.read(padded), 'up to 3 bytes of final padding are fine');
  });

  it('checks lengths against the bytes left before allocating', () => {
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(20, 0xffffffff, true); // name's element count
    assert.throws(() => codec.read(huge), /JointState\.name: 4294967295 elements of string\[\] need at least 17179869180 bytes/);
    const badString = good.slice();
    new DataView(badString.buffer).setUint32(12, 0x7fffffff, true); // frame_id's length
    assert.throws(() => codec.read(badString), /JointState\.header\.frame_id: string of length 2147483647 needs/);
    const noNul = good.slice();
    noNul[18] = 0x41; // frame_id 'ab\0' -> 'abA'
    assert.throws(() => codec.read(noNul), /frame_id: string of length 3 does not end with a NUL byte/);
    const boundedBytes = bounded.write(goodBounded);
    new DataView(boundedBytes.buffer).setUint32(12, 3, true); // values count 2 -> 3
    assert.throws(() => bounded.read(boundedBytes), /Bounded\.values: int16\[<=2\] holds at most 2 elements, length says 3/);
    const badBool = bounded.write(goodBounded);
    badBool[badBool.length - 1] = 2;
    assert.throws(() => bounded.read(badBool), /Bounded\.flag: bool byte is 2, expected 0 or 1/);
  });

  it('survives random corruption (only CdrErrors, bounded time)', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const samples = ['sensor_msgs/msg/JointState', 'diagnostic_msgs/msg/DiagnosticArray', 'sensor_msgs/msg/CameraInfo']
      .map((t: string) => {
        const c = createCdrCodec(t);
        return { codec: c, bytes: t === codec.typeName ? good : c.write(defaultMessage(t)) };
      });
    const started = performance.now();
    for (let i = 0; i < 3000; i++) {
      const { codec: c, bytes } = samples[i % samples.length];
      const mutated = i % 4 === 0
        ? Uint8Array.from({ length: (random() * 200) | 0 }, () => (random() * 256) | 0)
        : bytes.slice();
      if (i % 4 !== 0) for (let k = 0; k < 3; k++) mutated[(random() * mutated.length) | 0] = (random() * 256) | 0;
      if (i % 4 === 1) mutated.set([0, 1, 0, 0]);
      try {
        c.read(mutated);
      } catch (e) {
        assert.ok(e instanceof CdrError, `not a CdrError: ${String(e)}`);
      }
    }
    assert.ok(performance.now() - started < 5000);
  });
});
