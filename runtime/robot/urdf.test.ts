import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { DEFAULT_URDF_PATH, findArmUrdf, loadArmDescription, parseUrdf } from './urdf.js';

const SHIPPED = readFileSync(DEFAULT_URDF_PATH, 'utf8');
const ARM = ['shoulder_pan', 'shoulder_lift', 'elbow', 'wrist_1', 'wrist_2', 'wrist_3'];

/** 1-based line of the first occurrence of needle in xml. */
function lineOf(xml: string, needle: string): number {
  const i = xml.indexOf(needle);
  assert.ok(i >= 0, `test setup: "${needle}" not in the URDF`);
  return xml.slice(0, i).split('\n').length;
}

function replaceOnce(xml: string, from: string, to: string): string {
  assert.ok(xml.includes(from), `test setup: "${from}" not in the URDF`);
  return xml.replace(from, to);
}

function expectUserError(xml: string, ...parts: (string | RegExp)[]): UserError {
  let caught: unknown;
  try { parseUrdf(xml, 'arm6.urdf'); } catch (err) { caught = err; }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `"${caught.message}" should mention ${p}`);
    else assert.match(caught.message, p);
  }
  return caught;
}

test('the shipped arm6.urdf: 6 arm joints, a prismatic gripper and every limit', () => {
  const d = loadArmDescription();
  assert.equal(d.name, 'armstack_arm6');
  assert.match(d.source, /arm6\.urdf$/);
  assert.equal(d.baseLink, 'base_link');
  assert.equal(d.toolLink, 'tcp');
  assert.deepEqual(d.armJoints.map((j) => j.name), ARM);
  assert.equal(d.gripperJoint.name, 'gripper_finger_left');
  assert.equal(d.gripperJoint.type, 'prismatic');
  assert.deepEqual(d.commandJointNames, [...ARM, 'gripper_finger_left']);
  for (const j of [...d.armJoints, d.gripperJoint]) {
    const l = j.limits;
    assert.ok(l.hasPositionLimits && l.hasVelocityLimits && l.hasAccelerationLimits && l.hasEffortLimits, j.name);
    assert.ok(l.lower < l.upper && l.maxVelocity > 0 && l.maxAcceleration > 0 && l.maxEffort > 0, j.name);
  }
  for (const j of d.armJoints) {
    assert.equal(j.type, 'revolute');
    assert.ok(j.limits.maxVelocity >= 1.5 && j.limits.maxVelocity <= 3.2, `${j.name} velocity`);
  }
  const elbow = d.armJoints[2].limits;
  assert.ok(elbow.upper <= (160 * Math.PI) / 180 + 1e-4 && elbow.lower >= (-160 * Math.PI) / 180 - 1e-4);
  assert.equal(d.gripperJoint.limits.lower, 0);
  assert.equal(d.gripperJoint.limits.upper, 0.04);
  const right = d.joints.find((j) => j.name === 'gripper_finger_right');
  assert.deepEqual(right?.mimic, { joint: 'gripper_finger_left', multiplier: 1, offset: 0 });
  assert.equal(d.joints.filter((j) => j.type === 'fixed').length, 3);
});

test('DEFAULT_URDF_PATH resolves from the source folder and from dist/', () => {
  assert.match(DEFAULT_URDF_PATH, /runtime[\\/]robot[\\/]description[\\/]arm6\.urdf$/);
  const root = DEFAULT_URDF_PATH.slice(0, -join('runtime', 'robot', 'description', 'arm6.urdf').length);
  // The build puts this module in dist/runtime/robot/ without the .urdf: the walk must still find the source copy.
  assert.equal(findArmUrdf(join(root, 'dist', 'runtime', 'robot')), DEFAULT_URDF_PATH);
});

test('a missing file is a UserError naming it', () => {
  assert.throws(() => loadArmDescription('/nonexistent/arm7.urdf'), (err: unknown) =>
    err instanceof UserError && err.message.includes('/nonexistent/arm7.urdf') && err.message.includes('ENOENT'));
});

test('XML that is not well-formed names the file and line', () => {
  const xml = replaceOnce(SHIPPED, '<link name="tool0"/>', '<link name="tool0">');
  expectUserError(xml, 'arm6.urdf line ', 'not well-formed XML');
});

test('a missing limit attribute names the joint, the field and the line of <limit>', () => {
  const limit = '<limit lower="-2.7925" upper="2.7925" velocity="3.1416" effort="150"/>';
  const xml = replaceOnce(SHIPPED, limit, '<limit lower="-2.7925" upper="2.7925" effort="150"/>');
  expectUserError(xml, `arm6.urdf line ${lineOf(SHIPPED, limit)}: joint "elbow": <limit> is missing "velocity"`);
});

test('a revolute joint without <limit> is an error', () => {
  const limit = '<limit lower="-2.7925" upper="2.7925" velocity="3.1416" effort="150"/>';
  const xml = replaceOnce(SHIPPED, limit, '');
  expectUserError(xml, `line ${lineOf(SHIPPED, '<joint name="elbow"')}: joint "elbow": a revolute joint needs <limit`);
});

test('an unknown parent link names the link and its line', () => {
  const parent = '<parent link="forearm_link"/>';
  const xml = replaceOnce(SHIPPED, parent, '<parent link="forearm"/>');
  expectUserError(xml, `arm6.urdf line ${lineOf(SHIPPED, parent)}: joint "wrist_1": <parent link="forearm">`, 'does not exist');
});

test('a value that is not a number names the attribute, the value and its line', () => {
  const xml = replaceOnce(SHIPPED, 'velocity="2.0944" effort="150"/>', 'velocity="fast" effort="150"/>');
  expectUserError(xml, `arm6.urdf line ${lineOf(SHIPPED, 'velocity="2.0944"')}: joint "shoulder_pan": <limit velocity="fast"> is not a number`);
  const origin = '<origin xyz="0 0.138 0" rpy="0 0 0"/>';
  const xml2 = replaceOnce(SHIPPED, origin, '<origin xyz="0 0.138" rpy="0 0 0"/>');
  expectUserError(xml2, `line ${lineOf(SHIPPED, origin)}: joint "shoulder_lift": <origin xyz="0 0.138"> must be three numbers`);
  const accel = replaceOnce(SHIPPED, '<armstack:limits acceleration="6.0"/>', '<armstack:limits acceleration="6,0"/>');
  expectUserError(accel, 'joint "elbow": <armstack:limits acceleration="6,0"> is not a number');
});

test('a multi-line start tag reports the line of the bad attribute', () => {
  const xml = replaceOnce(SHIPPED, '<limit lower="-3.1416" upper="0.35" velocity="2.0944" effort="150"/>',
    '<limit lower="-3.1416"\n           upper="up"\n           velocity="2.0944" effort="150"/>');
  expectUserError(xml, `line ${lineOf(xml, 'upper="up"')}: joint "shoulder_lift": <limit upper="up"> is not a number`);
});

test('an unknown joint type is named with its line', () => {
  const xml = replaceOnce(SHIPPED, '<joint name="wrist_2" type="revolute">', '<joint name="wrist_2" type="floating">');
  expectUserError(xml, `line ${lineOf(SHIPPED, '<joint name="wrist_2"')}: joint "wrist_2": unknown joint type "floating"`);
});

test('a broken chain is reported', () => {
  // Detach the forearm: two roots, and the tool no longer reaches the base.
  const joint = SHIPPED.slice(SHIPPED.indexOf('<joint name="elbow"'), SHIPPED.indexOf('</joint>', SHIPPED.indexOf('<joint name="elbow"')) + 8);
  expectUserError(SHIPPED.replace(joint, ''), 'broken chain', '"forearm_link"');
  const noTcp = replaceOnce(replaceOnce(SHIPPED, '<link name="tcp"/>', '<link name="tip"/>'), '<child link="tcp"/>', '<child link="tip"/>');
  // tool0 is the fallback tool link, so this still parses, with the flange as the tool.
  assert.equal(parseUrdf(noTcp, 'x.urdf').toolLink, 'tool0');
});

test('a mimic of a joint that does not exist is an error', () => {
  const xml = replaceOnce(SHIPPED, '<mimic joint="gripper_finger_left"', '<mimic joint="gripper_left"');
  expectUserError(xml, 'joint "gripper_finger_right": <mimic joint="gripper_left"> names a joint that does not exist');
});

test('the armstack namespace is found by URI, whatever its prefix', () => {
  const xml = SHIPPED.replace('xmlns:armstack=', 'xmlns:as=').replaceAll('armstack:limits', 'as:limits');
  const d = parseUrdf(xml, 'prefixed.urdf');
  assert.equal(d.armJoints[2].limits.maxAcceleration, 6);
  // Without the extension, acceleration limits are simply absent.
  const plain = parseUrdf(SHIPPED.replaceAll(/<armstack:limits[^>]*\/>/g, ''), 'plain.urdf');
  assert.equal(plain.armJoints[0].limits.hasAccelerationLimits, false);
  assert.equal(plain.armJoints[0].limits.hasVelocityLimits, true);
});
