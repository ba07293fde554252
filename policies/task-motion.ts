// The motion side of the task executive: one command vector, one planned motion at a time, and the top-down
// moves a pick or a place is made of (the scripted expert's primitives: minimum-jerk joint moves and straight tcp
// lines from motion.ts, IK from runtime/robot). Steps that start a motion return 'next'.
import { Kinematics, quatRotateVec3, topDownGrasp } from '../runtime/robot/index.js';
import type { ArmDescription, Pose, Vec3 } from '../runtime/robot/index.js';
import type { SceneObject } from '../runtime/messages/index.js';
import { Motion, limitStep, type MotionLimits } from './scripted/motion.js';
import type { ResolvedPickPlaceConfig } from './scripted/pick-place-config.js';

export class TaskMotion {
  readonly dt: number;
  readonly n: number;
  /** Index of the gripper in the command vector (last). */
  readonly g: number;
  /** The command sent to the arm, advanced by tick(). */
  readonly cmd: Float64Array;
  readonly goal: Float64Array;
  readonly motion: Motion;
  /** Where the current straight line ends. */
  pose: Pose | undefined;
  /** Time spent waiting in the current step. */
  waitS = 0;
  lastGripper = Number.NaN;
  readonly #d: ArmDescription;
  readonly #lim: MotionLimits;
  readonly #maxStep: Float64Array;
  readonly #want: Float64Array;

  constructor(description: ArmDescription, readonly c: ResolvedPickPlaceConfig, readonly kinematics: Kinematics) {
    this.#d = description;
    this.dt = 1 / c.controlRateHz;
    const names = description.commandJointNames;
    const n = (this.n = names.length);
    this.g = n - 1;
    const specs = names.map((name) => description.joints.find((j) => j.name === name)!);
    const vel = Float64Array.from(specs, (j) => (j.limits.hasVelocityLimits ? j.limits.maxVelocity : 1));
    const acc = Float64Array.from(specs, (j) => (j.limits.hasAccelerationLimits ? j.limits.maxAcceleration : 2));
    this.#lim = { maxVelocity: vel, maxAcceleration: acc, speedFraction: c.speedFraction, accelFraction: c.accelFraction };
    // Like the expert: every step stays under 80% of the velocity limit per tick, the safety filter's clamp.
    this.#maxStep = vel.map((v) => 0.78 * v * this.dt);
    this.cmd = new Float64Array(n);
    this.#want = new Float64Array(n);
    this.goal = new Float64Array(n);
    this.motion = new Motion(kinematics, n);
  }

  /** Start from the measured state, at rest. */
  seed(measured: ArrayLike<number>): void {
    this.cmd.set(measured);
    this.goal.set(measured);
    this.motion.joint(this.cmd, this.goal, this.#lim);
  }

  /** Advances the motion one tick; true when it is over and the command is at its goal. */
  tick(): boolean {
    if (!this.motion.done) {
      this.#want.set(this.cmd);
      this.motion.sample(this.dt, this.#want);
      limitStep(this.cmd, this.#want, this.#maxStep);
      return false;
    }
    if (!this.reached()) {
      limitStep(this.cmd, this.goal, this.#maxStep);
      return false;
    }
    return true;
  }

  home(): 'next' {
    const [x, y, z] = this.c.homeXyzM;
    this.pose = topDownGrasp(x, y, z, 0);
    this.solveOrThrow(this.pose, 'home');
    this.goal[this.g] = this.cmd[this.g];
    this.motion.joint(this.cmd, this.goal, this.#lim);
    return 'next';
  }

  moveGripper(width: number): 'next' {
    this.goal.set(this.cmd);
    this.goal[this.g] = width;
    this.motion.joint(this.cmd, this.goal, this.#lim);
    this.lastGripper = Number.NaN;
    return 'next';
  }

  /** Joint move above the box, square to its faces; the quarter turn that moves the joints least. */
  preGrasp(box: SceneObject): 'next' {
    const q = box.pose.orientation;
    const yaw = Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
    const { x, y } = box.pose.position;
    const z = box.pose.position.z + box.size.z / 2 + this.c.approachHeightM;
    const options: Pose[] = [];
    for (let k = 0; k < 4; k++) {
      const a = yaw + (k * Math.PI) / 2;
      const low = topDownGrasp(x, y, this.graspHeight(box), a);
      const pose = topDownGrasp(x, y, z, a);
      const trial = new Float64Array(this.n);
      if (this.solve(pose, trial) && this.kinematics.ik(low, trial, { restarts: 0 }).ok) options.push(pose);
    }
    if (!this.best(options)) throw new Error(`${box.id} is out of reach`);
    this.goal[this.g] = this.open();
    this.motion.joint(this.cmd, this.goal, this.#lim);
    return 'next';
  }

  aboveBin(b: Vec3): 'next' {
    const tcp = this.fk(this.cmd);
    const axis: Vec3 = { x: 0, y: 0, z: 0 };
    quatRotateVec3(tcp.orientation, { x: 1, y: 0, z: 0 }, axis);
    const toolYaw = Math.atan2(axis.y, axis.x);
    const turn = Math.atan2(b.y, b.x) - Math.atan2(tcp.position.y, tcp.position.x);
    const options = [toolYaw + turn, toolYaw].map((yaw) => topDownGrasp(b.x, b.y, this.c.carryHeightM, yaw));
    if (!this.best(options)) throw new Error('the bin is out of reach');
    this.goal[this.g] = this.cmd[this.g];
    this.motion.joint(this.cmd, this.goal, this.#lim);
    return 'next';
  }

  /** Solves each pose; puts the one nearest the current command into #goal and #pose. */
  best(poses: Pose[]): boolean {
    let best = Infinity;
    const trial = new Float64Array(this.n);
    for (const pose of poses) {
      if (!this.solve(pose, trial)) continue;
      let cost = 0;
      for (let i = 0; i < this.g; i++) cost += Math.abs(trial[i] - this.cmd[i]);
      if (cost < best) {
        best = cost;
        this.goal.set(trial);
        this.pose = pose;
      }
    }
    return best < Infinity;
  }

  /** Straight vertical line from the current line end to height zM. */
  line(zM: number, gripper: number): 'next' {
    const from = this.pose ?? this.fk(this.cmd);
    const to: Pose = { position: { ...from.position, z: zM }, orientation: from.orientation };
    this.solveOrThrow(to, `z ${zM.toFixed(3)}`);
    this.goal[this.g] = gripper;
    this.motion.linear(this.cmd, this.goal, from.position, to.position, from.orientation, this.#lim);
    this.pose = to;
    return 'next';
  }

  graspHeight(box: SceneObject): number {
    const bottom = box.pose.position.z - box.size.z / 2;
    return Math.max(box.pose.position.z, bottom + this.c.fingertipClearanceM + this.c.fingertipBeyondTcpM);
  }

  fk(q: ArrayLike<number>): Pose {
    const pose: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
    this.kinematics.fk(q, pose);
    return pose;
  }

  solve(pose: Pose, out: Float64Array): boolean {
    const ik = this.kinematics.ik(pose, this.cmd);
    if (ik.ok) out.set(ik.q);
    return ik.ok;
  }

  solveOrThrow(pose: Pose, what: string): void {
    if (!this.solve(pose, this.goal)) throw new Error(`${what} is out of reach`);
  }

  reached(): boolean {
    for (let i = 0; i < this.n; i++) if (this.cmd[i] !== this.goal[i]) return false;
    return true;
  }

  settled(measured: ArrayLike<number>): boolean {
    for (let i = 0; i < this.g; i++) if (Math.abs(measured[i] - this.cmd[i]) > this.c.settleToleranceRad) return this.waited();
    return true;
  }

  waited(): boolean {
    this.waitS += this.dt;
    return this.waitS >= this.c.settleTimeoutS;
  }

  open(): number {
    return this.#d.gripperJoint.limits.upper - 0.0005;
  }

  closed(): number {
    return this.#d.gripperJoint.limits.lower + 0.0005;
  }
}
