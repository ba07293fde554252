// The pinhole camera model shared by the renderer (projecting the world into pixels) and the vision runner
// (back-projecting detections onto the table): one definition, so the two can never disagree.
//
// Conventions are OpenCV's and ROS's: the optical frame has x right, y down, z forward (REP 103 "_optical"
// frames); pixel (i, j) has its centre at u = i, v = j. No lens distortion (the sim renders an ideal pinhole;
// a real camera is undistorted before this model applies).
import type { Pose } from '../../runtime/robot/arm-description.js';
import { mat3FromQuat, quatFromMat3 } from '../../runtime/robot/transforms.js';
import type { CameraInfo, Time } from '../../runtime/messages/index.js';

export interface CameraIntrinsics {
  width: number;
  height: number;
  /** Focal lengths and principal point, pixels. */
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** Everything needed to rebuild a camera (stored in model metadata as JSON). */
export interface CameraParams {
  name: string;
  intrinsics: CameraIntrinsics;
  /** The optical frame's pose in the base frame (camera → base). */
  poseInBase: Pose;
}

export interface PixelPoint {
  u: number;
  v: number;
  /** Distance along the optical axis, m (negative: behind the camera). */
  depthM: number;
}

export interface Point3 {
  x: number;
  y: number;
  z: number;
}

export class PinholeCamera {
  readonly name: string;
  readonly intrinsics: Readonly<CameraIntrinsics>;
  /** Base-from-camera rotation, row-major; columns are the optical axes in the base frame. */
  readonly rotation = new Float64Array(9);
  /** Camera centre in the base frame. */
  readonly position = new Float64Array(3);

  constructor(params: CameraParams) {
    const k = params.intrinsics;
    for (const key of ['width', 'height', 'fx', 'fy'] as const) {
      if (!(k[key] > 0)) throw new Error(`PinholeCamera#constructor: "${params.name}" intrinsics.${key} must be > 0, got ${k[key]}`);
    }
    this.name = params.name;
    this.intrinsics = { ...k };
    this.setPose(params.poseInBase);
  }

  /** Moves the camera (a wrist camera follows the tool every frame); no allocation. */
  setPose(poseInBase: Pose): void {
    mat3FromQuat(poseInBase.orientation, this.rotation, 0);
    this.position[0] = poseInBase.position.x;
    this.position[1] = poseInBase.position.y;
    this.position[2] = poseInBase.position.z;
  }

  /** Sets the pose from a rotation (row-major, base-from-camera) and a position; no allocation. */
  setPoseFromMatrix(rotation: ArrayLike<number>, position: ArrayLike<number>): void {
    for (let i = 0; i < 9; i++) this.rotation[i] = rotation[i];
    for (let i = 0; i < 3; i++) this.position[i] = position[i];
  }

  get poseInBase(): Pose {
    const p = this.position;
    return { position: { x: p[0], y: p[1], z: p[2] }, orientation: quatFromMat3(this.rotation) };
  }

  get params(): CameraParams {
    return { name: this.name, intrinsics: { ...this.intrinsics }, poseInBase: this.poseInBase };
  }

  /** A base-frame point into pixels. Returns out; depthM ≤ 0 means the point is behind the camera. */
  project(x: number, y: number, z: number, out: PixelPoint): PixelPoint {
    const R = this.rotation, p = this.position, k = this.intrinsics;
    const dx = x - p[0], dy = y - p[1], dz = z - p[2];
    // camera = Rᵀ·(world − position)
    const xc = R[0] * dx + R[3] * dy + R[6] * dz;
    const yc = R[1] * dx + R[4] * dy + R[7] * dz;
    const zc = R[2] * dx + R[5] * dy + R[8] * dz;
    out.depthM = zc;
    out.u = k.fx * (xc / zc) + k.cx;
    out.v = k.fy * (yc / zc) + k.cy;
    return out;
  }

  /**
   * The base-frame point where the ray through pixel (u, v) meets the horizontal plane z = planeZM.
   * Returns false (out untouched) when the ray runs parallel to the plane or meets it behind the camera.
   */
  backprojectToPlaneZ(u: number, v: number, planeZM: number, out: Point3): boolean {
    const R = this.rotation, p = this.position, k = this.intrinsics;
    const rx = (u - k.cx) / k.fx, ry = (v - k.cy) / k.fy;
    // ray direction in the base frame = R·(rx, ry, 1)
    const dx = R[0] * rx + R[1] * ry + R[2];
    const dy = R[3] * rx + R[4] * ry + R[5];
    const dz = R[6] * rx + R[7] * ry + R[8];
    if (Math.abs(dz) < 1e-12) return false;
    const t = (planeZM - p[2]) / dz;
    if (!(t > 0)) return false;
    out.x = p[0] + t * dx;
    out.y = p[1] + t * dy;
    out.z = planeZM;
    return true;
  }

  /**
   * The same camera seen through an integer box-average downscale (INTER_AREA by `factor`): low-res pixel I
   * covers full-res pixels factor·I .. factor·I + factor − 1, whose centre is at factor·I + (factor − 1)/2.
   */
  scaled(factor: number): PinholeCamera {
    const k = this.intrinsics;
    if (!Number.isInteger(factor) || factor < 1 || k.width % factor || k.height % factor) {
      throw new Error(`PinholeCamera#scaled: "${this.name}" ${k.width}x${k.height} does not divide by factor ${factor}`);
    }
    const off = (factor - 1) / 2;
    return new PinholeCamera({
      name: this.name,
      intrinsics: {
        width: k.width / factor, height: k.height / factor,
        fx: k.fx / factor, fy: k.fy / factor, cx: (k.cx - off) / factor, cy: (k.cy - off) / factor,
      },
      poseInBase: this.poseInBase,
    });
  }

  /** sensor_msgs/CameraInfo for this camera (plumb_bob with zero distortion, identity rectification). */
  cameraInfo(frameId: string, stamp: Time = { sec: 0, nanosec: 0 }): CameraInfo {
    const k = this.intrinsics;
    return {
      header: { stamp: { ...stamp }, frame_id: frameId },
      height: k.height,
      width: k.width,
      distortion_model: 'plumb_bob',
      d: [0, 0, 0, 0, 0],
      k: [k.fx, 0, k.cx, 0, k.fy, k.cy, 0, 0, 1],
      r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      p: [k.fx, 0, k.cx, 0, 0, k.fy, k.cy, 0, 0, 0, 1, 0],
      binning_x: 0,
      binning_y: 0,
      roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
    };
  }
}

/**
 * The optical-frame pose of a camera at `eye` looking at `target`, with image "up" as close to `up` as the
 * view allows (image y, which points down, is the opposite).
 */
export function lookAtPose(eye: Point3, target: Point3, up: Point3): Pose {
  const zx = target.x - eye.x, zy = target.y - eye.y, zz = target.z - eye.z;
  const zn = Math.hypot(zx, zy, zz);
  if (zn === 0) throw new Error('lookAtPose: eye and target coincide');
  const z = [zx / zn, zy / zn, zz / zn];
  // x = z × up makes image y (= z × x) point along −up, i.e. image "up" is `up`.
  let x = [z[1] * up.z - z[2] * up.y, z[2] * up.x - z[0] * up.z, z[0] * up.y - z[1] * up.x];
  const xn = Math.hypot(x[0], x[1], x[2]);
  if (xn < 1e-9) throw new Error('lookAtPose: the view direction is parallel to up');
  x = x.map((c) => c / xn);
  const y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  const R = [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
  return { position: { x: eye.x, y: eye.y, z: eye.z }, orientation: quatFromMat3(R) };
}
