// Forward/inverse kinematics of the arm chain (base_link → tcp) described by the URDF. q holds the arm joints
// only (description.armJoints order, no gripper). Poses are the tcp in the base frame.
import type { ArmDescription, Pose } from './arm-description.js';
import { IkSolver, fillJacobian } from './ik.js';
import type { IkOptions, IkResult } from './ik.js';
import { KinematicChain } from './kinematic-chain.js';
import { mat3FromAxisAngle, mat3Multiply, quatFromMat3 } from './transforms.js';

export type { IkOptions, IkResult } from './ik.js';

export class Kinematics {
  readonly description: ArmDescription;
  /** Arm joints (6 for arm6), the length of every q. */
  readonly dof: number;
  /** Position limits per arm joint (±Infinity where a joint has none). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly #chain: KinematicChain;
  readonly #ik: IkSolver;

  constructor(desc: ArmDescription) {
    this.description = desc;
    this.#chain = new KinematicChain(desc);
    this.#ik = new IkSolver(this.#chain);
    this.dof = this.#chain.dof;
    this.lower = this.#chain.lower;
    this.upper = this.#chain.upper;
  }

  /** Tool (tcp) pose in the base frame. Pass out to avoid allocating in a per-tick caller. */
  fk(q: ArrayLike<number>, out?: Pose): Pose {
    this.#check(q, 'fk');
    const c = this.#chain;
    c.forward(q);
    const pose = out ?? { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
    pose.position.x = c.toolT[0];
    pose.position.y = c.toolT[1];
    pose.position.z = c.toolT[2];
    quatFromMat3(c.toolR, 0, pose.orientation);
    return pose;
  }

  /** Every link on the base → tool chain (fixed ones included), base first. Allocates: for display and debug. */
  linkPoses(q: ArrayLike<number>): { link: string; pose: Pose }[] {
    this.#check(q, 'linkPoses');
    const R = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), t = new Float64Array(3);
    const tmp = new Float64Array(9), rot = new Float64Array(9);
    const toPose = (): Pose => ({ position: { x: t[0], y: t[1], z: t[2] }, orientation: quatFromMat3(R) });
    const out = [{ link: this.description.baseLink, pose: toPose() }];
    for (const step of this.#chain.path) {
      const o = step.originT;
      const dx = R[0] * o[0] + R[1] * o[1] + R[2] * o[2];
      const dy = R[3] * o[0] + R[4] * o[1] + R[5] * o[2];
      const dz = R[6] * o[0] + R[7] * o[1] + R[8] * o[2];
      t[0] += dx; t[1] += dy; t[2] += dz;
      mat3Multiply(R, 0, step.originR, 0, tmp, 0);
      R.set(tmp);
      if (step.qIndex >= 0) {
        const [ax, ay, az] = step.joint.axis, v = q[step.qIndex];
        if (step.joint.type === 'prismatic') {
          t[0] += (R[0] * ax + R[1] * ay + R[2] * az) * v;
          t[1] += (R[3] * ax + R[4] * ay + R[5] * az) * v;
          t[2] += (R[6] * ax + R[7] * ay + R[8] * az) * v;
        } else {
          mat3FromAxisAngle(ax, ay, az, v, rot);
          mat3Multiply(R, 0, rot, 0, tmp, 0);
          R.set(tmp);
        }
      }
      out.push({ link: step.joint.child, pose: toPose() });
    }
    return out;
  }

  /** Geometric Jacobian of the tcp in the base frame: 6×dof row-major, rows vx vy vz wx wy wz. */
  jacobian(q: ArrayLike<number>, out?: Float64Array): Float64Array {
    this.#check(q, 'jacobian');
    this.#chain.forward(q);
    return fillJacobian(this.#chain, out ?? new Float64Array(6 * this.dof));
  }

  /**
   * Joint positions reaching target from seed, within the joint limits. Near the seed when the seed's branch
   * reaches the target; random restarts otherwise. ok=false returns the best configuration found.
   */
  ik(target: Pose, seed: ArrayLike<number>, options?: IkOptions): IkResult {
    this.#check(seed, 'ik');
    return this.#ik.solve(target, seed, options);
  }

  /** True when every joint of q is within its position limits (plus toleranceRad). */
  withinLimits(q: ArrayLike<number>, toleranceRad = 0): boolean {
    for (let i = 0; i < this.dof; i++) {
      if (!(q[i] >= this.lower[i] - toleranceRad && q[i] <= this.upper[i] + toleranceRad)) return false;
    }
    return true;
  }

  #check(q: ArrayLike<number>, method: string): void {
    if (q.length < this.dof) {
      throw new RangeError(`Kinematics#${method}: q has ${q.length} values, the arm has ${this.dof} joints`);
    }
  }
}
