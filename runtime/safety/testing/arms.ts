// Hand-built descriptions and a seeded random source for the safety tests (imported by *.test.ts only).
import type { ArmDescription, JointLimits, JointSpec, Pose } from '../../robot/arm-description.js';
import type { ToolKinematics } from '../safety-filter.js';
import { mulberry32 } from '../../random.js';

export function limits(partial: Partial<JointLimits>): JointLimits {
  return {
    hasPositionLimits: false, lower: -Infinity, upper: Infinity,
    hasVelocityLimits: false, maxVelocity: Infinity,
    hasAccelerationLimits: false, maxAcceleration: Infinity,
    hasEffortLimits: false, maxEffort: Infinity,
    ...partial,
  };
}

function joint(name: string, type: JointSpec['type'], l: JointLimits): JointSpec {
  return { name, type, parent: 'a', child: 'b', originXyz: [0, 0, 0], originRpy: [0, 0, 0], axis: [0, 0, 1], limits: l };
}

/**
 * A 3-joint arm with every mix of has-flags: a full joint, a continuous joint without acceleration limits, a joint
 * with position and velocity limits only, and a gripper.
 */
export function mixedArm(): ArmDescription {
  const armJoints = [
    joint('full', 'revolute', limits({ hasPositionLimits: true, lower: -2, upper: 1, hasVelocityLimits: true, maxVelocity: 2, hasAccelerationLimits: true, maxAcceleration: 5 })),
    joint('spin', 'continuous', limits({ hasVelocityLimits: true, maxVelocity: 3 })),
    joint('noaccel', 'revolute', limits({ hasPositionLimits: true, lower: -1, upper: 1, hasVelocityLimits: true, maxVelocity: 1 })),
  ];
  const gripperJoint = joint('finger', 'prismatic', limits({ hasPositionLimits: true, lower: 0, upper: 0.04, hasVelocityLimits: true, maxVelocity: 0.1, hasAccelerationLimits: true, maxAcceleration: 0.5 }));
  return {
    name: 'mixed', source: 'testing/arms.ts', baseLink: 'base', toolLink: 'tcp',
    joints: [...armJoints, gripperJoint], armJoints, gripperJoint,
    commandJointNames: [...armJoints.map((j) => j.name), gripperJoint.name],
  };
}

/** Tool position = (q0, q1, q2) metres: makes workspace tests exact. */
export const identityFk: ToolKinematics = {
  fk(q: ArrayLike<number>, out?: Pose): Pose {
    const pose = out ?? { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
    pose.position.x = q[0];
    pose.position.y = q[1];
    pose.position.z = q[2];
    return pose;
  },
};

/** Seeded uniform numbers in [0, 1) (runtime/random.ts). */
export const rng = mulberry32;
