// The arm as the URDF describes it. Parsed once (runtime/robot/urdf.ts) and shared by the sim, the safety
// filter, the kinematics and the dashboard, so joint names and limits have a single source.

export type JointType = 'revolute' | 'continuous' | 'prismatic' | 'fixed';

export interface Vec3 { x: number; y: number; z: number }
export interface Quat { x: number; y: number; z: number; w: number }
/** Same shape as geometry_msgs/Pose, so it can be published as-is. */
export interface Pose { position: Vec3; orientation: Quat }

/** Limits are data, with a has-flag per kind (as ros2_control's joint_limits). Units: rad or m, per second. */
export interface JointLimits {
  hasPositionLimits: boolean;
  lower: number;
  upper: number;
  hasVelocityLimits: boolean;
  maxVelocity: number;
  hasAccelerationLimits: boolean;
  maxAcceleration: number;
  hasEffortLimits: boolean;
  maxEffort: number;
}

export interface JointSpec {
  name: string;
  type: JointType;
  parent: string;
  child: string;
  /** Joint origin relative to the parent link frame (URDF <origin xyz rpy>). */
  originXyz: [number, number, number];
  originRpy: [number, number, number];
  /** Unit axis in the joint frame (URDF <axis xyz>). */
  axis: [number, number, number];
  limits: JointLimits;
  /** For mimic joints (e.g. the second finger): position = multiplier * source + offset. */
  mimic?: { joint: string; multiplier: number; offset: number };
}

export interface ArmDescription {
  name: string;
  /** Where the description came from, for error messages. */
  source: string;
  baseLink: string;
  /** The tool centre point link: between the fingertips. */
  toolLink: string;
  /** Every joint in the file, in document order. */
  joints: JointSpec[];
  /** The serial chain base → tool, actuated joints only, in order (6 for the armstack arm). */
  armJoints: JointSpec[];
  /** The gripper's actuated joint (finger opening, metres, prismatic). */
  gripperJoint: JointSpec;
  /**
   * Command vector layout used everywhere (JointCommand, policies, recorder): the arm joints then the gripper.
   * commandJointNames.length === armJoints.length + 1.
   */
  commandJointNames: string[];
}
