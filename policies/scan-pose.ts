// The default scan pose: the tool high over the bins' side of the base, where the arm leaves the overhead
// camera's view of the table clear (checked by rendering: perception/arm-self-filter.test.ts).
import { Kinematics, topDownGrasp } from '../runtime/robot/index.js';

export const SCAN_TCP_XYZ_M: readonly [number, number, number] = [0.15, 0.3, 0.4];

/** Arm joints of the scan pose for this arm (IK, top-down tool). */
export function scanPoseQ(kinematics: Kinematics, xyz: readonly [number, number, number] = SCAN_TCP_XYZ_M): Float64Array {
  const seed = new Float64Array(kinematics.dof);
  for (let i = 0; i < seed.length; i++) seed[i] = Math.max(kinematics.lower[i], Math.min(kinematics.upper[i], [0.7, -2.0, 1.8, 1.75, -1.57, -0.9][i] ?? 0));
  const ik = kinematics.ik(topDownGrasp(xyz[0], xyz[1], xyz[2], 0), seed);
  if (!ik.ok) throw new Error(`scanPoseQ: the scan pose (${xyz.join(', ')}) is out of reach of this arm`);
  return Float64Array.from(ik.q);
}

/** The middle of the ready poses the shipped policy was trained from (policies/episodes/episode-spec.ts). */
export const READY_TCP_XYZ_M: readonly [number, number, number] = [0.4, 0, 0.29];

/** Arm joints of the ready pose; seedQ: the arm's home (the training episodes solve their starts from it). */
export function readyPoseQ(kinematics: Kinematics, seedQ: ArrayLike<number>, xyz: readonly [number, number, number] = READY_TCP_XYZ_M): Float64Array {
  const ik = kinematics.ik(topDownGrasp(xyz[0], xyz[1], xyz[2], 0), Array.prototype.slice.call(seedQ, 0, kinematics.dof) as number[]);
  if (!ik.ok) throw new Error(`readyPoseQ: the ready pose (${xyz.join(', ')}) is out of reach of this arm`);
  return Float64Array.from(ik.q);
}
