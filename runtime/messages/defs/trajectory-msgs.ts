// trajectory_msgs: joint trajectories, as a ros2_control JointTrajectoryController accepts them.
import { defineMessage, field, sequence } from '../descriptor.js';
import type { Duration, Header } from './builtin-interfaces.js';

/** trajectory_msgs/msg/JointTrajectoryPoint. Arrays are in JointTrajectory.joint_names order; empty = unset. */
export interface JointTrajectoryPoint {
  positions: number[] | Float64Array;
  velocities: number[] | Float64Array;
  accelerations: number[] | Float64Array;
  effort: number[] | Float64Array;
  time_from_start: Duration;
}

/** trajectory_msgs/msg/JointTrajectory */
export interface JointTrajectory {
  header: Header;
  joint_names: string[];
  points: JointTrajectoryPoint[];
}

export const JointTrajectoryPointDescriptor = defineMessage('trajectory_msgs/msg/JointTrajectoryPoint', [
  sequence('positions', 'float64'),
  sequence('velocities', 'float64'),
  sequence('accelerations', 'float64'),
  sequence('effort', 'float64'),
  field('time_from_start', 'builtin_interfaces/msg/Duration'),
]);

export const JointTrajectoryDescriptor = defineMessage('trajectory_msgs/msg/JointTrajectory', [
  field('header', 'std_msgs/msg/Header'),
  sequence('joint_names', 'string'),
  sequence('points', 'trajectory_msgs/msg/JointTrajectoryPoint'),
]);
