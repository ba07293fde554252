// The base→tool serial chain, folded for speed: the fixed transforms between two moving joints are merged into
// one constant "pre" transform per joint, so forward() costs two 3×3 products and one Rodrigues per joint.
// forward() writes into the chain's own arrays (no allocation); callers read them before the next call.
import type { ArmDescription, JointSpec } from './arm-description.js';
import { mat3FromAxisAngle, mat3FromRpy, mat3Multiply } from './transforms.js';

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** One URDF joint on the path base→tool, for the slower per-link walk (linkPoses). */
export interface PathStep {
  joint: JointSpec;
  /** Index into q, or -1 for fixed joints. */
  qIndex: number;
  originR: Float64Array;
  originT: Float64Array;
}

export class KinematicChain {
  readonly dof: number;
  readonly joints: JointSpec[];
  readonly path: PathStep[];
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly prismatic: Uint8Array;
  /** Revolute joints with at least a full turn of travel: q and q ± 2π are the same pose and both allowed. */
  readonly wraps: Uint8Array;
  /** Upper bound on |tcp − joint 0 origin|; Infinity when the first joint slides. */
  readonly reachBoundM: number;
  /** World position of joint 0's frame, constant whatever q is. */
  readonly firstJointPos: Float64Array;

  // Outputs of forward(), in the base frame.
  readonly jointPos: Float64Array;
  readonly jointAxis: Float64Array;
  readonly toolR = new Float64Array(9);
  readonly toolT = new Float64Array(3);

  readonly #preR: Float64Array;
  readonly #preT: Float64Array;
  readonly #axis: Float64Array;
  readonly #postR = new Float64Array(9);
  readonly #postT = new Float64Array(3);
  readonly #r = new Float64Array(9);
  readonly #tmp = new Float64Array(9);
  readonly #rot = new Float64Array(9);

  constructor(desc: ArmDescription) {
    const parentJoint = new Map(desc.joints.map((j) => [j.child, j]));
    const pathJoints: JointSpec[] = [];
    for (let link = desc.toolLink; link !== desc.baseLink;) {
      const j = parentJoint.get(link);
      if (!j) throw new Error(`KinematicChain: "${desc.toolLink}" is not connected to "${desc.baseLink}" in ${desc.source}`);
      pathJoints.unshift(j);
      link = j.parent;
    }
    const moving = pathJoints.filter((j) => j.type !== 'fixed');
    const names = moving.map((j) => j.name).join(',');
    if (names !== desc.armJoints.map((j) => j.name).join(',')) {
      throw new Error(`KinematicChain: armJoints (${desc.armJoints.map((j) => j.name)}) differ from the chain (${names})`);
    }
    this.joints = moving;
    const n = (this.dof = moving.length);
    this.lower = new Float64Array(n);
    this.upper = new Float64Array(n);
    this.prismatic = new Uint8Array(n);
    this.wraps = new Uint8Array(n);
    this.jointPos = new Float64Array(3 * n);
    this.jointAxis = new Float64Array(3 * n);
    this.#preR = new Float64Array(9 * n);
    this.#preT = new Float64Array(3 * n);
    this.#axis = new Float64Array(3 * n);

    this.path = pathJoints.map((joint) => ({
      joint, qIndex: moving.indexOf(joint),
      originR: mat3FromRpy(joint.originRpy[0], joint.originRpy[1], joint.originRpy[2], new Float64Array(9)) as Float64Array,
      originT: Float64Array.from(joint.originXyz),
    }));

    // Accumulate fixed transforms into acc until the next moving joint takes them as its "pre".
    const accR = Float64Array.from(IDENTITY), accT = new Float64Array(3), tmp = new Float64Array(9);
    let reach = 0;
    for (const step of this.path) {
      // acc = acc · origin
      for (let r = 0; r < 3; r++) {
        accT[r] += accR[3 * r] * step.originT[0] + accR[3 * r + 1] * step.originT[1] + accR[3 * r + 2] * step.originT[2];
      }
      mat3Multiply(accR, 0, step.originR, 0, tmp, 0);
      accR.set(tmp);
      const i = step.qIndex;
      if (i < 0) continue;
      if (i > 0) reach += Math.hypot(accT[0], accT[1], accT[2]);
      this.#preR.set(accR, 9 * i);
      this.#preT.set(accT, 3 * i);
      this.#axis.set(step.joint.axis, 3 * i);
      const lim = step.joint.limits;
      this.lower[i] = lim.hasPositionLimits ? lim.lower : -Infinity;
      this.upper[i] = lim.hasPositionLimits ? lim.upper : Infinity;
      this.prismatic[i] = step.joint.type === 'prismatic' ? 1 : 0;
      this.wraps[i] = !this.prismatic[i] && this.upper[i] - this.lower[i] >= 2 * Math.PI ? 1 : 0;
      accR.set(IDENTITY);
      accT.fill(0);
    }
    this.#postR.set(accR);
    this.#postT.set(accT);
    reach += Math.hypot(accT[0], accT[1], accT[2]);
    this.reachBoundM = this.prismatic.some((p) => p) ? Infinity : reach;
    this.firstJointPos = this.#preT.slice(0, 3);
  }

  /** Fills jointPos, jointAxis (base frame) and toolR/toolT for configuration q. */
  forward(q: ArrayLike<number>): void {
    const R = this.#r, tmp = this.#tmp, rot = this.#rot, preR = this.#preR, preT = this.#preT, axis = this.#axis;
    const jp = this.jointPos, ja = this.jointAxis;
    R.set(IDENTITY);
    let tx = 0, ty = 0, tz = 0;
    for (let i = 0; i < this.dof; i++) {
      const o9 = 9 * i, o3 = 3 * i;
      const px = preT[o3], py = preT[o3 + 1], pz = preT[o3 + 2];
      tx += R[0] * px + R[1] * py + R[2] * pz;
      ty += R[3] * px + R[4] * py + R[5] * pz;
      tz += R[6] * px + R[7] * py + R[8] * pz;
      mat3Multiply(R, 0, preR, o9, tmp, 0);
      const ax = axis[o3], ay = axis[o3 + 1], az = axis[o3 + 2];
      const wx = tmp[0] * ax + tmp[1] * ay + tmp[2] * az;
      const wy = tmp[3] * ax + tmp[4] * ay + tmp[5] * az;
      const wz = tmp[6] * ax + tmp[7] * ay + tmp[8] * az;
      jp[o3] = tx; jp[o3 + 1] = ty; jp[o3 + 2] = tz;
      ja[o3] = wx; ja[o3 + 1] = wy; ja[o3 + 2] = wz;
      if (this.prismatic[i]) {
        const d = q[i];
        tx += wx * d; ty += wy * d; tz += wz * d;
        R.set(tmp);
      } else {
        mat3FromAxisAngle(ax, ay, az, q[i], rot, 0);
        mat3Multiply(tmp, 0, rot, 0, R, 0);
      }
    }
    const p = this.#postT;
    this.toolT[0] = tx + R[0] * p[0] + R[1] * p[1] + R[2] * p[2];
    this.toolT[1] = ty + R[3] * p[0] + R[4] * p[1] + R[5] * p[2];
    this.toolT[2] = tz + R[6] * p[0] + R[7] * p[1] + R[8] * p[2];
    mat3Multiply(R, 0, this.#postR, 0, this.toolR, 0);
  }
}
