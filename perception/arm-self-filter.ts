// A camera-space robot self-filter (in the spirit of ROS's robot_self_filter): given the arm's joint positions
// when a frame was captured, says whether the arm may hide a spot of the image. A box the arm partly covers is
// still detected, but its centre and yaw lean toward the visible part by centimetres; a tracker that keeps its
// last clear estimate instead grasps where the box is. The arm is modelled as capsules along its kinematic
// chain, deliberately fat: a false "occluded" only delays an update, a missed one moves the grasp.
import type { Kinematics } from '../runtime/robot/index.js';
import type { PinholeCamera, PixelPoint } from './models/camera-model.js';
import type { LocalizerDetection } from './models/localizer-decode.js';

export interface SelfFilterConfig {
  /** Capsule radius around the chain, m (the gripper and links with a margin). Default 0.07. */
  radiusM?: number;
  /** Extra clearance in pixels. Default 6. */
  marginPx?: number;
  /** Samples per chain segment. Default 6. */
  samplesPerSegment?: number;
}

export class ArmSelfFilter {
  readonly #kinematics: Kinematics;
  readonly #camera: PinholeCamera;
  readonly #radiusM: number;
  readonly #marginPx: number;
  readonly #samples: number;
  readonly #px: PixelPoint = { u: 0, v: 0, depthM: 0 };

  constructor(kinematics: Kinematics, camera: PinholeCamera, config: SelfFilterConfig = {}) {
    this.#kinematics = kinematics;
    this.#camera = camera;
    this.#radiusM = config.radiusM ?? 0.07;
    this.#marginPx = config.marginPx ?? 6;
    this.#samples = Math.max(1, Math.round(config.samplesPerSegment ?? 6));
  }

  /** True when the arm at q may hide any of the detected box's top face (its centre plus ¾ of its edge). */
  hidesDetection(q: ArrayLike<number>, d: LocalizerDetection): boolean {
    const px = this.#px;
    this.#camera.project(d.xM, d.yM, d.zM + d.sizeM / 2, px);
    const spotPx = (this.#camera.intrinsics.fx * d.sizeM * 0.75) / Math.max(0.1, px.depthM);
    return this.occludes(q, d.u, d.v, spotPx);
  }

  /**
   * True when the arm at q (arm joints first; extra entries such as the gripper are ignored) may cover any pixel
   * within spotRadiusPx of (u, v).
   */
  occludes(q: ArrayLike<number>, u: number, v: number, spotRadiusPx: number): boolean {
    const dof = this.#kinematics.dof;
    const armQ = q.length === dof ? q : Array.prototype.slice.call(q, 0, dof) as number[];
    const links = this.#kinematics.linkPoses(armQ);
    const tool = this.#kinematics.fk(armQ).position;
    const points = links.map((l) => l.pose.position);
    points.push(tool);
    const fx = this.#camera.intrinsics.fx, px = this.#px;
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1], b = points[i];
      for (let s = 0; s <= this.#samples; s++) {
        const f = s / this.#samples;
        this.#camera.project(a.x + f * (b.x - a.x), a.y + f * (b.y - a.y), a.z + f * (b.z - a.z), px);
        if (!(px.depthM > 0)) continue;
        const reach = (fx * this.#radiusM) / px.depthM + spotRadiusPx + this.#marginPx;
        const du = px.u - u, dv = px.v - v;
        if (du * du + dv * dv < reach * reach) return true;
      }
    }
    return false;
  }
}
