// Every link's pose for a joint configuration, fingers included, written into preallocated arrays.
// Kinematics.linkPoses walks only the base→tool chain and allocates per call; the renderer needs the finger
// links too and runs every frame, so it walks the whole URDF tree here (tested equal to linkPoses on the chain).
import type { ArmDescription, JointSpec } from '../../runtime/robot/index.js';
import { mat3FromAxisAngle, mat3FromRpy, mat3Multiply } from '../../runtime/robot/transforms.js';

interface Step {
  joint: JointSpec;
  parent: number;
  child: number;
  originR: Float64Array;
  originT: Float64Array;
  /** Index into the command vector, or -1 for fixed joints; mimic joints read their source's index. */
  qIndex: number;
  multiplier: number;
  offset: number;
}

export class ArmLinkPoses {
  readonly links: readonly string[];
  /** Per link: rotation (9, row-major, base-from-link) then translation (3): 12 numbers. */
  readonly transforms: Float64Array;
  readonly #steps: Step[];
  readonly #tmp = new Float64Array(9);
  readonly #rot = new Float64Array(9);
  readonly #r = new Float64Array(9);

  constructor(desc: ArmDescription) {
    const commandIndex = new Map<string, number>();
    desc.armJoints.forEach((j, i) => commandIndex.set(j.name, i));
    commandIndex.set(desc.gripperJoint.name, desc.armJoints.length);
    const links = [desc.baseLink];
    const pending = [...desc.joints];
    const steps: Step[] = [];
    // Tree order: a joint is placed once its parent link has a pose.
    while (pending.length) {
      const k = pending.findIndex((j) => links.includes(j.parent));
      if (k < 0) throw new Error(`ArmLinkPoses#constructor: joints ${pending.map((j) => j.name)} do not connect to "${desc.baseLink}"`);
      const j = pending.splice(k, 1)[0];
      links.push(j.child);
      let qIndex = -1, multiplier = 1, offset = 0;
      if (j.type !== 'fixed') {
        const source = j.mimic ? j.mimic.joint : j.name;
        qIndex = commandIndex.get(source) ?? -1;
        if (j.mimic) { multiplier = j.mimic.multiplier; offset = j.mimic.offset; }
      }
      steps.push({
        joint: j, parent: links.indexOf(j.parent), child: links.length - 1,
        originR: mat3FromRpy(j.originRpy[0], j.originRpy[1], j.originRpy[2], new Float64Array(9)) as Float64Array,
        originT: Float64Array.from(j.originXyz), qIndex, multiplier, offset,
      });
    }
    this.links = links;
    this.#steps = steps;
    this.transforms = new Float64Array(12 * links.length);
    this.transforms.set([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], 0);
  }

  indexOf(link: string): number {
    return this.links.indexOf(link);
  }

  /** Fills transforms for q in command order (arm joints, then the gripper joint). No allocation. */
  update(q: ArrayLike<number>): void {
    const T = this.transforms, tmp = this.#tmp, rot = this.#rot, R = this.#r;
    for (const s of this.#steps) {
      const p = 12 * s.parent, c = 12 * s.child, o = s.originT;
      // child = parent · origin · motion
      for (let r = 0; r < 3; r++) {
        T[c + 9 + r] = T[p + 9 + r] + T[p + 3 * r] * o[0] + T[p + 3 * r + 1] * o[1] + T[p + 3 * r + 2] * o[2];
      }
      mat3Multiply(T, p, s.originR, 0, R, 0);
      const v = s.qIndex >= 0 ? s.multiplier * q[s.qIndex] + s.offset : 0;
      const [ax, ay, az] = s.joint.axis;
      if (s.qIndex >= 0 && s.joint.type === 'prismatic') {
        for (let r = 0; r < 3; r++) T[c + 9 + r] += (R[3 * r] * ax + R[3 * r + 1] * ay + R[3 * r + 2] * az) * v;
        for (let i = 0; i < 9; i++) T[c + i] = R[i];
      } else if (s.qIndex >= 0) {
        mat3FromAxisAngle(ax, ay, az, v, rot, 0);
        mat3Multiply(R, 0, rot, 0, tmp, 0);
        for (let i = 0; i < 9; i++) T[c + i] = tmp[i];
      } else {
        for (let i = 0; i < 9; i++) T[c + i] = R[i];
      }
    }
  }
}
