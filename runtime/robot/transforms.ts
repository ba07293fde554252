// Rotations and poses: quaternions for the public API (geometry_msgs shape), 3×3 row-major matrices for the
// hot kinematics. Conventions are URDF's: rpy are fixed-axis roll (x), pitch (y), yaw (z), so R = Rz·Ry·Rx.
import type { Pose, Quat, Vec3 } from './arm-description.js';

/** Row-major 3×3 rotation matrix, read at an offset so chains can pack many into one array. */
export type Mat3 = Float64Array | number[];

export function quatFromRpy(roll: number, pitch: number, yaw: number, out?: Quat): Quat {
  const cr = Math.cos(roll / 2), sr = Math.sin(roll / 2);
  const cp = Math.cos(pitch / 2), sp = Math.sin(pitch / 2);
  const cy = Math.cos(yaw / 2), sy = Math.sin(yaw / 2);
  const q = out ?? { x: 0, y: 0, z: 0, w: 1 };
  q.x = sr * cp * cy - cr * sp * sy;
  q.y = cr * sp * cy + sr * cp * sy;
  q.z = cr * cp * sy - sr * sp * cy;
  q.w = cr * cp * cy + sr * sp * sy;
  return q;
}

/** Inverse of quatFromRpy; pitch in [-π/2, π/2]. */
export function rpyFromQuat(q: Quat): [number, number, number] {
  const sinp = 2 * (q.w * q.y - q.z * q.x);
  const pitch = Math.abs(sinp) >= 1 ? Math.sign(sinp) * Math.PI / 2 : Math.asin(sinp);
  const roll = Math.atan2(2 * (q.w * q.x + q.y * q.z), 1 - 2 * (q.x * q.x + q.y * q.y));
  const yaw = Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
  return [roll, pitch, yaw];
}

/** a ⊗ b: rotate by b, then by a. Safe when out is a or b. */
export function quatMultiply(a: Quat, b: Quat, out?: Quat): Quat {
  const x = a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y;
  const y = a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x;
  const z = a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w;
  const w = a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z;
  const q = out ?? { x: 0, y: 0, z: 0, w: 1 };
  q.x = x; q.y = y; q.z = z; q.w = w;
  return q;
}

export function quatConjugate(q: Quat, out?: Quat): Quat {
  const r = out ?? { x: 0, y: 0, z: 0, w: 1 };
  r.x = -q.x; r.y = -q.y; r.z = -q.z; r.w = q.w;
  return r;
}

export function quatNormalize(q: Quat, out?: Quat): Quat {
  const n = Math.hypot(q.x, q.y, q.z, q.w);
  const r = out ?? { x: 0, y: 0, z: 0, w: 1 };
  if (n === 0) { r.x = 0; r.y = 0; r.z = 0; r.w = 1; return r; }
  r.x = q.x / n; r.y = q.y / n; r.z = q.z / n; r.w = q.w / n;
  return r;
}

export function quatFromAxisAngle(axis: Vec3, angleRad: number, out?: Quat): Quat {
  const n = Math.hypot(axis.x, axis.y, axis.z) || 1;
  const s = Math.sin(angleRad / 2) / n;
  const q = out ?? { x: 0, y: 0, z: 0, w: 1 };
  q.x = axis.x * s; q.y = axis.y * s; q.z = axis.z * s; q.w = Math.cos(angleRad / 2);
  return q;
}

/** The rotation angle taking a to b, in [0, π]; q and -q count as the same rotation. */
export function angleBetweenQuats(a: Quat, b: Quat): number {
  // conj(a) ⊗ b, written out; atan2 keeps precision near 0 where acos would not.
  const x = a.w * b.x - a.x * b.w - a.y * b.z + a.z * b.y;
  const y = a.w * b.y + a.x * b.z - a.y * b.w - a.z * b.x;
  const z = a.w * b.z - a.x * b.y + a.y * b.x - a.z * b.w;
  const w = a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
  return 2 * Math.atan2(Math.hypot(x, y, z), Math.abs(w));
}

export function quatRotateVec3(q: Quat, v: Vec3, out?: Vec3): Vec3 {
  // v + 2w(u×v) + 2u×(u×v), u = q.xyz
  const tx = 2 * (q.y * v.z - q.z * v.y);
  const ty = 2 * (q.z * v.x - q.x * v.z);
  const tz = 2 * (q.x * v.y - q.y * v.x);
  const r = out ?? { x: 0, y: 0, z: 0 };
  const x = v.x + q.w * tx + (q.y * tz - q.z * ty);
  const y = v.y + q.w * ty + (q.z * tx - q.x * tz);
  const z = v.z + q.w * tz + (q.x * ty - q.y * tx);
  r.x = x; r.y = y; r.z = z;
  return r;
}

export function poseFromXyzRpy(x: number, y: number, z: number, roll = 0, pitch = 0, yaw = 0): Pose {
  return { position: { x, y, z }, orientation: quatFromRpy(roll, pitch, yaw) };
}

/**
 * A top-down grasp at (x, y, z) in the base frame: tool Z points straight down, tool X is the horizontal
 * direction at yawRad from base X. The armstack gripper closes along tool Y, i.e. across yawRad + π/2.
 */
export function topDownGrasp(x: number, y: number, z: number, yawRad: number): Pose {
  // Rz(yaw)·Rx(π) as a quaternion: (cos(yaw/2), 0, 0, sin(yaw/2)) ⊗ (0, 1, 0, 0) in (w, x, y, z) order.
  const c = Math.cos(yawRad / 2), s = Math.sin(yawRad / 2);
  return { position: { x, y, z }, orientation: { x: c, y: s, z: 0, w: 0 } };
}

/** a ∘ b: b expressed in a's frame, taken to a's parent frame. */
export function poseMultiply(a: Pose, b: Pose): Pose {
  const p = quatRotateVec3(a.orientation, b.position);
  return {
    position: { x: a.position.x + p.x, y: a.position.y + p.y, z: a.position.z + p.z },
    orientation: quatMultiply(a.orientation, b.orientation),
  };
}

export function poseInverse(a: Pose): Pose {
  const qi = quatConjugate(a.orientation);
  const p = quatRotateVec3(qi, a.position);
  return { position: { x: -p.x, y: -p.y, z: -p.z }, orientation: qi };
}

// ---- 3×3 row-major matrices, for the hot path ----

export function mat3FromRpy(roll: number, pitch: number, yaw: number, out: Mat3, o = 0): Mat3 {
  const cr = Math.cos(roll), sr = Math.sin(roll);
  const cp = Math.cos(pitch), sp = Math.sin(pitch);
  const cy = Math.cos(yaw), sy = Math.sin(yaw);
  out[o] = cy * cp; out[o + 1] = cy * sp * sr - sy * cr; out[o + 2] = cy * sp * cr + sy * sr;
  out[o + 3] = sy * cp; out[o + 4] = sy * sp * sr + cy * cr; out[o + 5] = sy * sp * cr - cy * sr;
  out[o + 6] = -sp; out[o + 7] = cp * sr; out[o + 8] = cp * cr;
  return out;
}

/** Rodrigues: rotation by angleRad about the unit axis (ax, ay, az). */
export function mat3FromAxisAngle(ax: number, ay: number, az: number, angleRad: number, out: Mat3, o = 0): Mat3 {
  const c = Math.cos(angleRad), s = Math.sin(angleRad), t = 1 - c;
  out[o] = t * ax * ax + c; out[o + 1] = t * ax * ay - s * az; out[o + 2] = t * ax * az + s * ay;
  out[o + 3] = t * ax * ay + s * az; out[o + 4] = t * ay * ay + c; out[o + 5] = t * ay * az - s * ax;
  out[o + 6] = t * ax * az - s * ay; out[o + 7] = t * ay * az + s * ax; out[o + 8] = t * az * az + c;
  return out;
}

export function mat3FromQuat(q: Quat, out: Mat3, o = 0): Mat3 {
  const n = q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w;
  const s = n > 0 ? 2 / n : 0;
  const { x, y, z, w } = q;
  out[o] = 1 - s * (y * y + z * z); out[o + 1] = s * (x * y - z * w); out[o + 2] = s * (x * z + y * w);
  out[o + 3] = s * (x * y + z * w); out[o + 4] = 1 - s * (x * x + z * z); out[o + 5] = s * (y * z - x * w);
  out[o + 6] = s * (x * z - y * w); out[o + 7] = s * (y * z + x * w); out[o + 8] = 1 - s * (x * x + y * y);
  return out;
}

/** Shepperd's method: picks the largest diagonal term so it stays accurate for every rotation. Returns w ≥ 0. */
export function quatFromMat3(m: Mat3, o = 0, out?: Quat): Quat {
  const m00 = m[o], m01 = m[o + 1], m02 = m[o + 2];
  const m10 = m[o + 3], m11 = m[o + 4], m12 = m[o + 5];
  const m20 = m[o + 6], m21 = m[o + 7], m22 = m[o + 8];
  const tr = m00 + m11 + m22;
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const s = 2 * Math.sqrt(tr + 1);
    w = s / 4; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (m21 - m12) / s; x = s / 4; y = (m01 + m10) / s; z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (m02 - m20) / s; x = (m01 + m10) / s; y = s / 4; z = (m12 + m21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = s / 4;
  }
  if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
  const q = out ?? { x: 0, y: 0, z: 0, w: 1 };
  q.x = x; q.y = y; q.z = z; q.w = w;
  return q;
}

/** out = a·b (3×3). out must not alias a or b. */
export function mat3Multiply(a: Mat3, ao: number, b: Mat3, bo: number, out: Mat3, oo: number): Mat3 {
  for (let r = 0; r < 3; r++) {
    const a0 = a[ao + 3 * r], a1 = a[ao + 3 * r + 1], a2 = a[ao + 3 * r + 2];
    out[oo + 3 * r] = a0 * b[bo] + a1 * b[bo + 3] + a2 * b[bo + 6];
    out[oo + 3 * r + 1] = a0 * b[bo + 1] + a1 * b[bo + 4] + a2 * b[bo + 7];
    out[oo + 3 * r + 2] = a0 * b[bo + 2] + a1 * b[bo + 5] + a2 * b[bo + 8];
  }
  return out;
}
