// Cross-checks the codec against Cyclone DDS, an independent CDR implementation (the one rmw_cyclonedds uses):
// Cyclone's bytes must equal ours, we must read Cyclone's bytes back to the original, and Cyclone must accept and
// read back ours. Non-ASCII strings are the point: their length prefix counts UTF-8 bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldDescriptor } from '../descriptor.js';
import { defineMessage, field, fixedArray, sequence, boundedSequence } from '../descriptor.js';
import { messageDescriptor } from '../registry.js';
import type { CdrCodec } from './cdr-codec.js';
import { createCdrCodec } from './cdr-codec.js';
import { compileStructPlan } from './cdr-plan.js';
import type { CycloneHarness } from './testing/cyclone-harness.js';
import { buildCycloneHarness, fromHex, harnessTokens, toHex } from './testing/cyclone-harness.js';
import { NON_ASCII_NAMES, normalizeForCompare } from './testing/cdr-test-helpers.js';

const tagsField: FieldDescriptor = {
  name: 'tags', type: 'string', isComplex: false, arrayKind: 'bounded', arrayBound: 2, stringBound: 4,
};

// Mirrors armstack_test::msg::Probe in cyclone/ros2_types.idl.
const ProbeDescriptor = defineMessage('armstack_test/msg/Probe', [
  field('flag', 'bool'), field('f64', 'float64'), field('i8', 'int8'), field('i64', 'int64'), field('u8', 'uint8'),
  field('i16', 'int16'), field('u16', 'uint16'), field('i32', 'int32'), field('c', 'char'), field('u32', 'uint32'),
  field('u64', 'uint64'), field('f32', 'float32'), field('short_name', 'string', { stringBound: 8 }),
  fixedArray('fixed3', 'float64', 3), boundedSequence('bounded', 'int16', 4), sequence('flags', 'bool'),
  sequence('big', 'int64'), sequence('floats', 'float32'), fixedArray('times', 'builtin_interfaces/msg/Time', 2),
  boundedSequence('stamps', 'builtin_interfaces/msg/Time', 3), tagsField, field('tail', 'byte'),
]);
const resolve = (t: string) => (t === ProbeDescriptor.typeName ? ProbeDescriptor : messageDescriptor(t));

const header = (frame_id: string, sec = 1_700_000_000, nanosec = 123_456_789) => ({ stamp: { sec, nanosec }, frame_id });

const CASES: Array<[string, Record<string, unknown>]> = [
  ['std_msgs/msg/String', { data: '' }],
  ['std_msgs/msg/String', { data: 'hello' }],
  ...NON_ASCII_NAMES.map((data): [string, Record<string, unknown>] => ['std_msgs/msg/String', { data }]),
  ['sensor_msgs/msg/JointState', {
    header: header('base_link'),
    name: [...NON_ASCII_NAMES, 'gripper'],
    position: [0.1, -1.5, 3.14159, Number.NaN, -0],
    velocity: new Float64Array([1, 2, 3, Infinity, 5e-324]),
    effort: [],
  }],
  ['sensor_msgs/msg/JointState', {
    header: header('é', -5, 0), name: ['a'], position: [], velocity: [], effort: new Float64Array([7.25]),
  }],
  ['sensor_msgs/msg/CompressedImage', {
    header: header('caméra_poignet'), format: 'jpeg', data: Uint8Array.from({ length: 37 }, (_, i) => (i * 37) & 0xff),
  }],
  ['sensor_msgs/msg/CompressedImage', { header: header(''), format: 'png', data: new Uint8Array(0) }],
  ['diagnostic_msgs/msg/DiagnosticArray', {
    header: header('diag'),
    status: [
      { level: 2, name: 'épaule: moteur', message: '温度が高い', hardware_id: '🦾-7', values: [
        { key: 'température', value: '81 °C' }, { key: '', value: '' },
      ] },
      { level: 0, name: 'ok', message: '', hardware_id: 'x', values: [] },
    ],
  }],
  ['diagnostic_msgs/msg/DiagnosticArray', { header: header('x'), status: [] }],
  ['armstack_test/msg/Probe', {
    flag: true, f64: -2.5, i8: -128, i64: -(2n ** 63n), u8: 255, i16: -32768, u16: 65535, i32: -2147483648, c: 65,
    u32: 4294967295, u64: 2n ** 64n - 1n, f32: Math.fround(0.1), short_name: 'épée', fixed3: [1, 2, 3],
    bounded: [1, -2, 3], flags: [true, false, true], big: [1n, -1n], floats: [Math.fround(1.5), -0],
    times: [{ sec: 1, nanosec: 2 }, { sec: -3, nanosec: 4 }], stamps: [{ sec: 5, nanosec: 6 }],
    tags: ['肘', 'ab'], tail: 7,
  }],
  ['armstack_test/msg/Probe', {
    flag: false, f64: 0, i8: 127, i64: 2n ** 63n - 1n, u8: 0, i16: 1, u16: 0, i32: 2147483647, c: 0, u32: 0,
    u64: 0n, f32: 0, short_name: '', fixed3: new Float64Array([0.5, -0.5, 1e300]), bounded: [], flags: [], big: [],
    floats: [], times: [{ sec: 0, nanosec: 0 }, { sec: 0, nanosec: 999_999_999 }], stamps: [], tags: [], tail: 255,
  }],
];

const build = buildCycloneHarness();
const skip = 'skipReason' in build && !process.env.CI ? build.skipReason : false;

describe('CDR codec against Cyclone DDS 0.10', () => {
  let harness: CycloneHarness;
  const codecs = new Map<string, CdrCodec<Record<string, unknown>>>();
  const codec = (t: string) => {
    let c = codecs.get(t);
    if (c === undefined) codecs.set(t, (c = createCdrCodec(t, { resolve })));
    return c;
  };
  const tokens = (t: string, msg: Record<string, unknown>) => `${t} ${harnessTokens(compileStructPlan(t, resolve), msg)}`;

  before(() => {
    if ('skipReason' in build) {
      if (process.env.CI) throw new Error(`CI needs the Cyclone harness: ${build.skipReason}`);
      return;
    }
    harness = build.harness;
  });
  after(() => harness?.dispose());

  it('Cyclone serializes every case to exactly our bytes', { skip }, () => {
    const answers = harness.run('encode', CASES.map(([t, msg]) => tokens(t, msg)));
    for (const [i, [t, msg]] of CASES.entries()) {
      const ours = codec(t).write(msg);
      assert.deepEqual([...ours.subarray(0, 4)], [0, 1, 0, 0], 'encapsulation header CDR_LE');
      assert.equal(answers[i], `ok ${toHex(ours.subarray(4))}`, `case ${i} (${t})`);
    }
  });

  it('we read Cyclone bytes back to the original message', { skip }, () => {
    const answers = harness.run('encode', CASES.map(([t, msg]) => tokens(t, msg)));
    for (const [i, [t, msg]] of CASES.entries()) {
      const body = fromHex(answers[i].slice(3));
      const bytes = new Uint8Array(4 + body.length);
      bytes.set([0, 1, 0, 0]);
      bytes.set(body, 4);
      assert.deepEqual(normalizeForCompare(codec(t).read(bytes)), normalizeForCompare(msg), `case ${i} (${t})`);
    }
  });

  it('Cyclone validates and reads our bytes back to the original message', { skip }, () => {
    const lines = CASES.map(([t, msg]) => `${t} ${toHex(codec(t).write(msg).subarray(4))}`);
    const answers = harness.run('decode', lines);
    for (const [i, [t, msg]] of CASES.entries()) {
      const ours = toHex(codec(t).write(msg).subarray(4));
      assert.equal(answers[i], `ok ${ours} ${harnessTokens(compileStructPlan(t, resolve), msg)}`, `case ${i} (${t})`);
    }
  });

  it('both refuse every truncation of a JointState, and a string length past the end', { skip }, () => {
    const [, msg] = CASES.find(([t]) => t === 'sensor_msgs/msg/JointState')!;
    const js = codec('sensor_msgs/msg/JointState');
    const full = js.write(msg);
    const lines: string[] = [];
    for (let n = 4; n < full.length; n++) lines.push(`sensor_msgs/msg/JointState ${toHex(full.subarray(4, n))}`);
    const corrupt = full.slice();
    corrupt[12] = 0xff; // frame_id's length
    lines.push(`sensor_msgs/msg/JointState ${toHex(corrupt.subarray(4))}`);
    const answers = harness.run('decode', lines);
    for (const [i, answer] of answers.entries()) assert.match(answer, /^error /, `Cyclone accepted case ${i}`);
    for (let n = 4; n < full.length; n++) assert.throws(() => js.read(full.subarray(0, n)), { name: 'UserError' });
    assert.throws(() => js.read(corrupt), /JointState\.header\.frame_id: string of length 255/);
  });
});
