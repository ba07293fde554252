// When does closing the gripper catch an object? A kinematic rule, not contact physics: the fingers catch an
// object when they close past its width while it sits between them: its faces square to the finger axis,
// both fingers outside it when closing began, the pads over its faces, and deep enough to hold it.
import type { Pose, Vec3 } from '../runtime/robot/arm-description.js';
import type { SimObject } from './world-objects.js';

/** The parallel gripper as arm6.urdf draws it, in the tcp frame (fingers close along tcp Y, Z out of the tool). */
export interface GripperGeometry {
  /** The fingertips are this far beyond the tcp along tool Z. arm6.urdf: 0.01 m. */
  fingertipBeyondTcpM: number;
  /** Pad length along tool Z, from the fingertip back toward the flange. arm6.urdf: 0.055 m. */
  padLengthM: number;
  /** Pad width along tool X. arm6.urdf: 0.022 m. */
  padWidthM: number;
  /** Finger opening (pad to pad) = gapPerJointM * gripper joint position. arm6.urdf: 2 (two fingers). */
  gapPerJointM: number;
  /** The pads must overlap the object's height by at least this much. Default 0.01 m. */
  minContactM: number;
  /** How far the finger axis may be from square to a face, rad. Default 0.26 (15°). */
  alignToleranceRad: number;
}

export const ARM6_GRIPPER: GripperGeometry = {
  fingertipBeyondTcpM: 0.01,
  padLengthM: 0.055,
  padWidthM: 0.022,
  gapPerJointM: 2,
  minContactM: 0.01,
  alignToleranceRad: 0.26,
};

export interface GraspCandidate {
  object: SimObject;
  /** The object's extent along the finger axis: where the fingers stop. */
  widthM: number;
}

// Module scratch: one grasp check per servo step at most, never re-entered.
const local: Vec3 = { x: 0, y: 0, z: 0 };
const axisLocal: Vec3 = { x: 0, y: 0, z: 0 };

/**
 * The object the closing fingers catch between prevGapM and gapM, if any.
 * @param openGapM the opening when this closing motion began.
 * @param fingerAxis unit finger axis (tcp Y) in the base frame; toolZ unit tcp Z in the base frame.
 */
export function findGrasp(
  objects: readonly SimObject[], tcp: Pose, fingerAxis: Vec3, toolZ: Vec3,
  openGapM: number, prevGapM: number, gapM: number, g: GripperGeometry, out: GraspCandidate,
): GraspCandidate | undefined {
  if (!(gapM < prevGapM)) return undefined;
  const cosTol = Math.cos(g.alignToleranceRad);
  for (const o of objects) {
    if (o.state !== 'resting') continue;
    const q = o.pose.orientation;
    const p = o.pose.position;
    rotateInverse(q, tcp.position.x - p.x, tcp.position.y - p.y, tcp.position.z - p.z, local);
    rotateInverse(q, fingerAxis.x, fingerAxis.y, fingerAxis.z, axisLocal);
    let widthM: number, acrossM: number, along: number, across: number;
    if (Math.abs(axisLocal.x) >= cosTol) {
      widthM = o.size.x; acrossM = o.size.y; along = local.x; across = local.y;
    } else if (Math.abs(axisLocal.y) >= cosTol) {
      widthM = o.size.y; acrossM = o.size.x; along = local.y; across = local.x;
    } else continue;
    // The fingers meet the faces during this step.
    if (!(prevGapM >= widthM && gapM < widthM)) continue;
    // Both fingers were outside the object when closing began (the nearer finger then pushes it to the centre).
    if (openGapM / 2 < Math.abs(along) + widthM / 2 - 1e-4) continue;
    // The pad centres lie on the faces.
    if (Math.abs(across) > acrossM / 2) continue;
    // Pads span fingertip .. fingertip - padLength along tool Z; they must overlap the object's height.
    const tipZ = tcp.position.z + g.fingertipBeyondTcpM * toolZ.z;
    const backZ = tipZ - g.padLengthM * toolZ.z;
    const padLo = Math.min(tipZ, backZ), padHi = Math.max(tipZ, backZ);
    const objLo = p.z - o.size.z / 2, objHi = p.z + o.size.z / 2;
    if (Math.min(padHi, objHi) - Math.max(padLo, objLo) < g.minContactM) continue;
    out.object = o;
    out.widthM = widthM;
    return out;
  }
  return undefined;
}

/** v rotated by the inverse of q (a base-frame vector expressed in the object's frame). */
function rotateInverse(q: Pose['orientation'], vx: number, vy: number, vz: number, out: Vec3): void {
  const x = -q.x, y = -q.y, z = -q.z, w = q.w;
  const tx = 2 * (y * vz - z * vy);
  const ty = 2 * (z * vx - x * vz);
  const tz = 2 * (x * vy - y * vx);
  out.x = vx + w * tx + (y * tz - z * ty);
  out.y = vy + w * ty + (z * tx - x * tz);
  out.z = vz + w * tz + (x * ty - y * tx);
}
