import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kinematics, loadArmDescription, topDownGrasp } from '../runtime/robot/index.js';
import { ENV_FEATURE_NAMES, EnvFeatureBuilder, validateEnvFeatureNames, type TaskObservation } from './features.js';

const description = loadArmDescription();
const kinematics = new Kinematics(description);

function poseAt(x: number, y: number, z: number, yawRad: number, gripperM: number): Float64Array {
  const ik = kinematics.ik(topDownGrasp(x, y, z, yawRad), [-0.3423, -1.8363, 1.9718, 1.4353, -1.5708, -1.9131]);
  assert.ok(ik.ok);
  return Float64Array.from([...ik.q, gripperM]);
}

test('features: tcp from forward kinematics, object and bin relative to it, yaw mod 90° as cos/sin of 4θ', () => {
  const b = new EnvFeatureBuilder(ENV_FEATURE_NAMES, description, kinematics);
  const q = poseAt(0.45, -0.1, 0.2, 0.3, 0.03);
  const task: TaskObservation = { valid: true, objectXM: 0.5, objectYM: 0.05, objectYawRad: 0.3 + Math.PI / 2 + 0.1, binXM: 0.275, binYM: 0.476 };
  const out = new Float64Array(b.size);
  b.build(task, q, -35, out);
  const f = Object.fromEntries(ENV_FEATURE_NAMES.map((n, i) => [n, out[i]]));
  const near = (name: string, want: number, tol = 1e-6): void => assert.ok(Math.abs(f[name] - want) < tol, `${name}: ${f[name]} vs ${want}`);
  near('object_x', 0.5);
  near('object_y', 0.05);
  near('tcp_x', 0.45, 1e-4);
  near('tcp_y', -0.1, 1e-4);
  near('tcp_z', 0.2, 1e-4);
  near('object_dx', 0.05, 1e-4);
  near('object_dy', 0.15, 1e-4);
  near('bin_dx', 0.275 - 0.45, 1e-4);
  near('bin_dy', 0.476 + 0.1, 1e-4);
  // A quarter turn does not matter to a cube: the yaw error is 0.1 rad, seen as 4·0.1.
  near('yaw_error_cos4', Math.cos(0.4), 1e-3);
  near('yaw_error_sin4', Math.sin(0.4), 1e-3);
  near('tcp_cos4yaw', Math.cos(1.2), 1e-3);
  near('object_sin4yaw', Math.sin(4 * task.objectYawRad));
  // Effort as a fraction of the gripper's effort limit (70 N in arm6.urdf): holding shows as −0.5 here.
  near('gripper_effort', -35 / 70);
});

test('features: a subset in any order, written at an offset; unknown or repeated names are refused', () => {
  const b = new EnvFeatureBuilder(['gripper_effort', 'object_x'], description, kinematics);
  const out = new Float32Array(5).fill(9);
  const task: TaskObservation = { valid: true, objectXM: 0.4, objectYM: 0, objectYawRad: 0, binXM: 0, binYM: 0 };
  b.build(task, poseAt(0.4, 0, 0.3, 0, 0.04), 7, out, 2);
  assert.deepEqual([...out].map((v) => Math.round(v * 1e4) / 1e4), [9, 9, 0.1, 0.4, 9]);
  assert.match(validateEnvFeatureNames(['object_x', 'box_colour'])!, /unknown environment features \["box_colour"\]/);
  assert.match(validateEnvFeatureNames(['object_x', 'object_x'])!, /listed twice/);
  assert.throws(() => new EnvFeatureBuilder(['nope'], description), /EnvFeatureBuilder#constructor: unknown environment features/);
});

test('features: the gripper effort is found in a JointState by name', () => {
  const b = new EnvFeatureBuilder(['gripper_effort'], description, kinematics);
  const name = [...description.armJoints.map((j) => j.name), description.gripperJoint.name];
  const state = {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, name,
    position: new Float64Array(7), velocity: new Float64Array(7), effort: Float64Array.from([1, 2, 3, 4, 5, 6, -70]),
  };
  assert.equal(b.gripperEffortOf(state), -70);
});
