// runtime/robot: the arm's description (URDF), its joints and limits, and FK/IK.
export type { ArmDescription, JointLimits, JointSpec, JointType, Pose, Quat, Vec3 } from './arm-description.js';
export { parseUrdf, loadArmDescription, DEFAULT_URDF_PATH, ARMSTACK_URDF_NS } from './urdf.js';
export { Kinematics } from './kinematics.js';
export type { IkOptions, IkResult } from './kinematics.js';
export { KinematicChain } from './kinematic-chain.js';
export {
  angleBetweenQuats, poseFromXyzRpy, poseInverse, poseMultiply, quatConjugate, quatFromAxisAngle, quatFromMat3,
  quatFromRpy, quatMultiply, quatNormalize, quatRotateVec3, rpyFromQuat, topDownGrasp,
} from './transforms.js';
