// The sim's two cameras: `overhead`, fixed above the table looking straight down, and `wrist`, on the tool
// flange looking along tool Z. A SimView is a PinholeCamera plus, for a mounted camera, the link it rides on.
import { PinholeCamera, lookAtPose } from '../../perception/models/camera-model.js';
import type { CameraParams } from '../../perception/models/camera-model.js';
import type { Pose } from '../../runtime/robot/index.js';
import { mat3FromQuat, mat3Multiply } from '../../runtime/robot/transforms.js';
import type { ArmLinkPoses } from './arm-links.js';

export interface CameraMount {
  link: string;
  /** The optical frame (x right, y down, z forward) in the link's frame. */
  poseInLink: Pose;
}

export class SimView {
  readonly camera: PinholeCamera;
  readonly mount: CameraMount | undefined;
  readonly #mountR = new Float64Array(9);
  readonly #mountT = new Float64Array(3);
  readonly #r = new Float64Array(9);
  readonly #t = new Float64Array(3);
  #linkIndex = -2;

  constructor(camera: PinholeCamera, mount?: CameraMount) {
    this.camera = camera;
    this.mount = mount;
    if (mount) {
      mat3FromQuat(mount.poseInLink.orientation, this.#mountR, 0);
      this.#mountT[0] = mount.poseInLink.position.x;
      this.#mountT[1] = mount.poseInLink.position.y;
      this.#mountT[2] = mount.poseInLink.position.z;
    }
  }

  get name(): string {
    return this.camera.name;
  }

  /** Optical frame id for CameraInfo and image headers. */
  get frameId(): string {
    return `${this.camera.name}_camera_optical_frame`;
  }

  /** Moves a mounted camera with its link (links already updated for this frame); no allocation. */
  follow(links: ArmLinkPoses): void {
    const m = this.mount;
    if (!m) return;
    if (this.#linkIndex === -2) this.#linkIndex = links.indexOf(m.link);
    const i = this.#linkIndex;
    if (i < 0) throw new Error(`SimView#follow: camera "${this.name}" is mounted on "${m.link}", which the arm has no link named`);
    const T = links.transforms, o = 12 * i, mt = this.#mountT, t = this.#t;
    mat3Multiply(T, o, this.#mountR, 0, this.#r, 0);
    for (let r = 0; r < 3; r++) t[r] = T[o + 9 + r] + T[o + 3 * r] * mt[0] + T[o + 3 * r + 1] * mt[1] + T[o + 3 * r + 2] * mt[2];
    this.camera.setPoseFromMatrix(this.#r, t);
  }
}

/**
 * Straight down from 1.5 m above the middle of the scene (table and bins: x −0.38..0.80, y −0.50..0.65), image
 * up = base +x (away from the arm), image right = base −y. About 2.7 mm per pixel on the table top.
 */
export const OVERHEAD_CAMERA: CameraParams = {
  name: 'overhead',
  intrinsics: { width: 640, height: 480, fx: 560, fy: 560, cx: 319.5, cy: 239.5 },
  poseInBase: lookAtPose({ x: 0.2125, y: 0.075, z: 1.5 }, { x: 0.2125, y: 0.075, z: 0 }, { x: 1, y: 0, z: 0 }),
};

/**
 * On tool0, beside the gripper body (tool −X side), 4 cm out along tool Z, looking along tool Z with the optical
 * axes parallel to tool0's: the fingers show at the image's right. About 80° horizontal field of view.
 */
export const WRIST_CAMERA: CameraParams & { mount: CameraMount } = {
  name: 'wrist',
  intrinsics: { width: 640, height: 480, fx: 380, fy: 380, cx: 319.5, cy: 239.5 },
  poseInBase: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
  mount: { link: 'tool0', poseInLink: { position: { x: -0.045, y: 0, z: 0.04 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } },
};

export function overheadView(params: CameraParams = OVERHEAD_CAMERA): SimView {
  return new SimView(new PinholeCamera(params));
}

export function wristView(params: CameraParams & { mount: CameraMount } = WRIST_CAMERA): SimView {
  return new SimView(new PinholeCamera(params), params.mount);
}
