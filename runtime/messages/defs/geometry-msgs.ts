// geometry_msgs: points, orientations, poses, twists and wrenches (SI units: m, rad, m/s, N, N·m).
import { defineMessage, field, fixedArray } from '../descriptor.js';
import type { Header } from './builtin-interfaces.js';

/** geometry_msgs/msg/Point */
export interface Point {
  x: number;
  y: number;
  z: number;
}

/** geometry_msgs/msg/Vector3 */
export interface Vector3 {
  x: number;
  y: number;
  z: number;
}

/** geometry_msgs/msg/Quaternion. The default (as in the .msg file) is the identity: w = 1. */
export interface Quaternion {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** geometry_msgs/msg/Pose */
export interface Pose {
  position: Point;
  orientation: Quaternion;
}

/** geometry_msgs/msg/PoseStamped */
export interface PoseStamped {
  header: Header;
  pose: Pose;
}

/** geometry_msgs/msg/PoseWithCovariance. covariance: row-major 6x6 over (x, y, z, rot x, rot y, rot z). */
export interface PoseWithCovariance {
  pose: Pose;
  covariance: number[] | Float64Array;
}

/** geometry_msgs/msg/Twist */
export interface Twist {
  linear: Vector3;
  angular: Vector3;
}

/** geometry_msgs/msg/Wrench */
export interface Wrench {
  force: Vector3;
  torque: Vector3;
}

/** geometry_msgs/msg/WrenchStamped */
export interface WrenchStamped {
  header: Header;
  wrench: Wrench;
}

export const PointDescriptor = defineMessage('geometry_msgs/msg/Point', [
  field('x', 'float64'),
  field('y', 'float64'),
  field('z', 'float64'),
]);

export const Vector3Descriptor = defineMessage('geometry_msgs/msg/Vector3', [
  field('x', 'float64'),
  field('y', 'float64'),
  field('z', 'float64'),
]);

export const QuaternionDescriptor = defineMessage('geometry_msgs/msg/Quaternion', [
  field('x', 'float64', { defaultValue: 0 }),
  field('y', 'float64', { defaultValue: 0 }),
  field('z', 'float64', { defaultValue: 0 }),
  field('w', 'float64', { defaultValue: 1 }),
]);

export const PoseDescriptor = defineMessage('geometry_msgs/msg/Pose', [
  field('position', 'geometry_msgs/msg/Point'),
  field('orientation', 'geometry_msgs/msg/Quaternion'),
]);

export const PoseStampedDescriptor = defineMessage('geometry_msgs/msg/PoseStamped', [
  field('header', 'std_msgs/msg/Header'),
  field('pose', 'geometry_msgs/msg/Pose'),
]);

export const PoseWithCovarianceDescriptor = defineMessage('geometry_msgs/msg/PoseWithCovariance', [
  field('pose', 'geometry_msgs/msg/Pose'),
  fixedArray('covariance', 'float64', 36),
]);

export const TwistDescriptor = defineMessage('geometry_msgs/msg/Twist', [
  field('linear', 'geometry_msgs/msg/Vector3'),
  field('angular', 'geometry_msgs/msg/Vector3'),
]);

export const WrenchDescriptor = defineMessage('geometry_msgs/msg/Wrench', [
  field('force', 'geometry_msgs/msg/Vector3'),
  field('torque', 'geometry_msgs/msg/Vector3'),
]);

export const WrenchStampedDescriptor = defineMessage('geometry_msgs/msg/WrenchStamped', [
  field('header', 'std_msgs/msg/Header'),
  field('wrench', 'geometry_msgs/msg/Wrench'),
]);
