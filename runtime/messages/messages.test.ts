import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ros2jazzy } from '@foxglove/rosmsg-msgs-common';
import { parse } from '@foxglove/rosmsg';
import type { FieldDescriptor, MessageDescriptor } from './index.js';
import {
  DiagnosticStatus, MESSAGE_DESCRIPTORS, MsgTypes, defaultMessage, messageDescriptor, messageTypeNames, nsFromTime,
  renderDefinition, ros2msgSchema, shortTypeName, timeFromMs, timeFromNs,
} from './index.js';

// @foxglove/message-definition's types, reached through @foxglove/rosmsg (it is not a direct dependency).
type MessageDefinition = ReturnType<typeof parse>[number];
type MessageDefinitionField = MessageDefinition['definitions'][number];

// The most recent ROS 2 distro @foxglove/rosmsg-msgs-common ships.
const DISTRO = 'ros2jazzy';
const officialDefinitions = ros2jazzy as Record<string, MessageDefinition | undefined>;
const msgdefsRoot = join(
  dirname(createRequire(import.meta.url).resolve('@foxglove/rosmsg-msgs-common/package.json')),
  'msgdefs',
  DISTRO,
);

// vision_msgs 4.1.x (ROS 2 Humble), not in @foxglove/rosmsg-msgs-common: copied from ros-perception/vision_msgs.
const VISION_MSGS_HUMBLE: Record<string, string> = {
  'vision_msgs/msg/Point2D': 'float64 x\nfloat64 y\n',
  'vision_msgs/msg/Pose2D': 'vision_msgs/Point2D position\nfloat64 theta\n',
  'vision_msgs/msg/BoundingBox2D': 'vision_msgs/Pose2D center\nfloat64 size_x\nfloat64 size_y\n',
  'vision_msgs/msg/ObjectHypothesis': 'string class_id\nfloat64 score\n',
  'vision_msgs/msg/ObjectHypothesisWithPose': 'ObjectHypothesis hypothesis\ngeometry_msgs/PoseWithCovariance pose\n',
  'vision_msgs/msg/Detection2D':
    'std_msgs/Header header\nObjectHypothesisWithPose[] results\nBoundingBox2D bbox\nstring id\n',
  'vision_msgs/msg/Detection2DArray': 'std_msgs/Header header\nDetection2D[] detections\n',
};

const allTypes = messageTypeNames();
const rosTypes = allTypes.filter((t) => !t.startsWith('armstack_msgs/'));

type Normalized = Record<string, unknown>;

// @foxglove/rosmsg folds byte/char into uint8 and builtin Time/Duration into `time`/`duration`; do the same.
function normalizeType(type: string): { type: string; isComplex: boolean } {
  if (type === 'byte' || type === 'char') return { type: 'uint8', isComplex: false };
  if (type === 'builtin_interfaces/msg/Time') return { type: 'time', isComplex: false };
  if (type === 'builtin_interfaces/msg/Duration') return { type: 'duration', isComplex: false };
  const isComplex = type.includes('/');
  return { type: isComplex ? shortTypeName(type) : type, isComplex };
}

function prune(o: Normalized): Normalized {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function normalizeOurs(d: MessageDescriptor): { fields: Normalized[]; constants: Normalized[] } {
  return {
    fields: d.fields.map((f: FieldDescriptor) =>
      prune({
        name: f.name,
        ...normalizeType(f.type),
        isArray: f.arrayKind !== 'none',
        arrayLength: f.arrayKind === 'fixed' ? f.arrayLength : undefined,
        arrayUpperBound: f.arrayKind === 'bounded' ? f.arrayBound : undefined,
        upperBound: f.stringBound,
        defaultValue: f.defaultValue,
      }),
    ),
    constants: d.constants.map((c) => ({ name: c.name, type: normalizeType(c.type).type, value: c.value })),
  };
}

function normalizeTheirs(d: MessageDefinition): { fields: Normalized[]; constants: Normalized[] } {
  const defs = d.definitions;
  return {
    fields: defs
      .filter((f) => f.isConstant !== true)
      .map((f: MessageDefinitionField) =>
        prune({
          name: f.name,
          type: f.type,
          isComplex: f.isComplex === true,
          isArray: f.isArray === true,
          arrayLength: f.arrayLength,
          arrayUpperBound: f.arrayUpperBound,
          upperBound: f.upperBound,
          defaultValue: f.defaultValue,
        }),
      ),
    constants: defs.filter((f) => f.isConstant === true).map((f) => ({ name: f.name, type: f.type, value: f.value })),
  };
}

/** The own-definition lines of a raw .msg text, comments and blanks dropped, same-package types qualified. */
function rawDefinitionLines(text: string, pkg: string): { fields: string[]; constants: string[] } {
  const own = text.split(/^={80}$/m)[0]!;
  const fields: string[] = [];
  const constants: string[] = [];
  for (const rawLine of own.split('\n')) {
    const line = rawLine.replace(/#.*$/, '').trim().replace(/\s+/g, ' ').replace(/\s*=\s*/, '=');
    if (line === '') continue;
    const [type, ...rest] = line.split(' ');
    const qualified = /^[A-Z]/.test(type!) ? `${pkg}/${type}` : type!;
    const normalized = [qualified, ...rest].join(' ');
    (/^\S+ [A-Z][A-Z0-9_]*=/.test(normalized) ? constants : fields).push(normalized);
  }
  return { fields, constants };
}

function ourDefinitionLines(d: MessageDescriptor): { fields: string[]; constants: string[] } {
  const lines = renderDefinition(d).trimEnd().split('\n');
  return { fields: lines.slice(d.constants.length), constants: lines.slice(0, d.constants.length) };
}

function officialMsgText(typeName: string): string {
  const vision = VISION_MSGS_HUMBLE[typeName];
  if (vision !== undefined) return vision;
  const [pkg, , name] = typeName.split('/');
  return readFileSync(join(msgdefsRoot, pkg!, 'msg', `${name}.msg`), 'utf8');
}

// Parses one hand-copied vision_msgs .msg text, qualifying same-package types as fixupTypes would with the deps.
function parseVisionMsg(typeName: string): MessageDefinition {
  const [definition] = parse(officialMsgText(typeName), { ros2: true, skipTypeFixup: true });
  const definitions = definition!.definitions.map((f) =>
    f.isComplex === true && !f.type.includes('/') ? { ...f, type: `vision_msgs/${f.type}` } : f,
  );
  return { name: shortTypeName(typeName), definitions };
}

describe('message descriptors', () => {
  for (const typeName of rosTypes) {
    it(`${typeName} matches the official definition field by field`, () => {
      const ours = messageDescriptor(typeName);
      const short = shortTypeName(typeName);
      const official = typeName.startsWith('vision_msgs/')
        ? parseVisionMsg(typeName)
        : officialDefinitions[short];
      assert.ok(official, `${DISTRO} in @foxglove/rosmsg-msgs-common has no ${short}`);
      assert.deepStrictEqual(normalizeOurs(ours), normalizeTheirs(official));
    });

    it(`${typeName} has the exact .msg types (byte stays byte)`, () => {
      const ours = messageDescriptor(typeName);
      assert.deepStrictEqual(ourDefinitionLines(ours), rawDefinitionLines(officialMsgText(typeName), typeName.split('/')[0]!));
    });
  }

  it('registers each descriptor under its own type name, and MsgTypes only names registered types', () => {
    for (const [key, d] of Object.entries(MESSAGE_DESCRIPTORS)) assert.equal(d.typeName, key);
    for (const t of Object.values(MsgTypes)) assert.equal(messageDescriptor(t).typeName, t);
    assert.equal(MsgTypes.JointState, 'sensor_msgs/msg/JointState');
    assert.equal(MsgTypes.StringMsg, 'std_msgs/msg/String');
  });

  it('resolves every complex field type to a registered descriptor', () => {
    for (const t of allTypes) {
      for (const f of messageDescriptor(t).fields) if (f.isComplex) assert.doesNotThrow(() => messageDescriptor(f.type));
    }
  });

  it('accepts short names and names the type it does not know', () => {
    assert.equal(messageDescriptor('sensor_msgs/JointState').typeName, 'sensor_msgs/msg/JointState');
    assert.throws(() => messageDescriptor('foo_msgs/msg/Bar'), /messageDescriptor: unknown message type "foo_msgs\/msg\/Bar"/);
  });

  it('exposes the DiagnosticStatus levels as byte constants', () => {
    const d = messageDescriptor(MsgTypes.DiagnosticStatus);
    assert.deepStrictEqual(
      d.constants.map((c) => [c.name, c.type, c.value]),
      [['OK', 'byte', 0], ['WARN', 'byte', 1], ['ERROR', 'byte', 2], ['STALE', 'byte', 3]],
    );
    assert.deepStrictEqual({ ...DiagnosticStatus }, { OK: 0, WARN: 1, ERROR: 2, STALE: 3 });
  });

  it('describes the armstack scene types', () => {
    const lines = (t: string): string[] => renderDefinition(messageDescriptor(t)).trimEnd().split('\n');
    assert.deepStrictEqual(lines(MsgTypes.SceneState), [
      'std_msgs/Header header', 'armstack_msgs/SceneObject[] objects', 'armstack_msgs/SceneBin[] bins',
    ]);
    assert.deepStrictEqual(lines(MsgTypes.SceneObject), [
      'string id', 'string kind', 'string color', 'geometry_msgs/Vector3 size', 'geometry_msgs/Pose pose', 'bool held',
      'uint8 in_bin',
    ]);
    assert.deepStrictEqual(lines(MsgTypes.SceneBin), ['uint8 number', 'geometry_msgs/Pose pose', 'geometry_msgs/Vector3 size']);
  });
});

describe('defaultMessage', () => {
  function checkDefault(typeName: string, value: unknown, path: string): void {
    const d = messageDescriptor(typeName);
    assert.ok(typeof value === 'object' && value !== null, `${path} is an object`);
    const message = value as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(message), d.fields.map((f) => f.name), `${path} keys`);
    for (const f of d.fields) {
      const v = message[f.name];
      const at = `${path}.${f.name}`;
      if (f.arrayKind !== 'none') {
        const length = f.arrayKind === 'fixed' ? f.arrayLength : 0;
        if (f.type === 'uint8' || f.type === 'byte') assert.ok(v instanceof Uint8Array, `${at} is a Uint8Array`);
        else assert.ok(Array.isArray(v), `${at} is an array`);
        assert.equal((v as ArrayLike<unknown>).length, length, `${at} length`);
        if (Array.isArray(v) && f.isComplex) v.forEach((e, i) => checkDefault(f.type, e, `${at}[${i}]`));
      } else if (f.isComplex) {
        checkDefault(f.type, v, at);
      } else {
        const expected = f.defaultValue ?? (f.type === 'bool' ? false : f.type === 'string' || f.type === 'wstring' ? ''
          : f.type === 'int64' || f.type === 'uint64' ? 0n : 0);
        assert.equal(v, expected, at);
      }
    }
  }

  for (const typeName of allTypes) {
    it(`builds a zero-valued ${typeName}`, () => checkDefault(typeName, defaultMessage(typeName), typeName));
  }

  it('applies .msg defaults and returns fresh objects', () => {
    const pose = defaultMessage('geometry_msgs/msg/Pose');
    assert.deepStrictEqual(pose.orientation, { x: 0, y: 0, z: 0, w: 1 });
    const a = defaultMessage('sensor_msgs/msg/JointState');
    const b = defaultMessage('sensor_msgs/msg/JointState');
    assert.notEqual(a.header, b.header);
    assert.notEqual(a.name, b.name);
  });
});

describe('time conversions', () => {
  const samples = [
    0n, 1n, -1n, 999_999_999n, 1_000_000_000n, -999_999_999n, -1_000_000_000n, -1_000_000_001n,
    1_700_000_000_123_456_789n, -1_700_000_000_123_456_789n,
    2_147_483_647n * 1_000_000_000n + 999_999_999n, // the latest representable Time
    -2_147_483_648n * 1_000_000_000n, // the earliest
  ];

  it('round-trips ns through Time with nanosec in [0, 1e9)', () => {
    for (const ns of samples) {
      const t = timeFromNs(ns);
      assert.ok(Number.isInteger(t.sec) && Number.isInteger(t.nanosec), `${ns} gives integers`);
      assert.ok(t.nanosec >= 0 && t.nanosec < 1e9, `${ns} gives nanosec ${t.nanosec}`);
      assert.equal(nsFromTime(t), ns);
    }
    assert.deepStrictEqual(timeFromNs(-1n), { sec: -1, nanosec: 999_999_999 });
  });

  it('fills an out object instead of allocating', () => {
    const out = { sec: 0, nanosec: 0 };
    assert.equal(timeFromNs(1_500_000_000n, out), out);
    assert.deepStrictEqual(out, { sec: 1, nanosec: 500_000_000 });
  });

  it('refuses seconds outside int32', () => {
    assert.throws(() => timeFromNs(2_147_483_648n * 1_000_000_000n), RangeError);
    assert.throws(() => timeFromNs(-2_147_483_648n * 1_000_000_000n - 1n), RangeError);
    assert.throws(() => timeFromMs(Number.NaN), RangeError);
    assert.throws(() => timeFromMs(3e12), RangeError);
  });

  it('converts milliseconds to the nearest nanosecond', () => {
    assert.deepStrictEqual(timeFromMs(1500.5), { sec: 1, nanosec: 500_500_000 });
    assert.deepStrictEqual(timeFromMs(-0.5), { sec: -1, nanosec: 999_500_000 });
    assert.deepStrictEqual(timeFromMs(999.99999999), { sec: 1, nanosec: 0 });
    assert.deepStrictEqual(timeFromMs(1_700_000_000_123), { sec: 1_700_000_000, nanosec: 123_000_000 });
  });
});

describe('ros2msg schema text', () => {
  for (const typeName of allTypes) {
    it(`${typeName} parses back with @foxglove/rosmsg to the same fields`, () => {
      const text = ros2msgSchema(typeName);
      const parsed = parse(text, { ros2: true });
      const [root, ...dependencies] = parsed;
      assert.deepStrictEqual(normalizeTheirs(root!), normalizeOurs(messageDescriptor(typeName)));
      const expectedDeps = new Set<string>();
      const visit = (t: string): void => {
        for (const f of messageDescriptor(t).fields) {
          if (f.isComplex && !expectedDeps.has(f.type)) {
            expectedDeps.add(f.type);
            visit(f.type);
          }
        }
      };
      visit(typeName);
      assert.deepStrictEqual(
        dependencies.map((d) => d.name).sort(),
        [...expectedDeps].map(shortTypeName).sort(),
      );
      for (const d of dependencies) {
        assert.deepStrictEqual(normalizeTheirs(d), normalizeOurs(messageDescriptor(d.name!)), d.name);
      }
    });
  }

  it('writes the rosbag2 layout: dependencies depth first, sorted, each once', () => {
    const rule = '='.repeat(80);
    assert.equal(
      ros2msgSchema('geometry_msgs/msg/PoseStamped'),
      [
        'std_msgs/Header header', 'geometry_msgs/Pose pose', '',
        rule, 'MSG: geometry_msgs/Pose', 'geometry_msgs/Point position', 'geometry_msgs/Quaternion orientation', '',
        rule, 'MSG: geometry_msgs/Point', 'float64 x', 'float64 y', 'float64 z', '',
        rule, 'MSG: geometry_msgs/Quaternion', 'float64 x 0', 'float64 y 0', 'float64 z 0', 'float64 w 1', '',
        rule, 'MSG: std_msgs/Header', 'builtin_interfaces/Time stamp', 'string frame_id', '',
        rule, 'MSG: builtin_interfaces/Time', 'int32 sec', 'uint32 nanosec', '',
      ].join('\n'),
    );
  });
});
