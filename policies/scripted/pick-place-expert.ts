// A scripted pick-and-place expert: takes every box to a bin with top-down grasps, for demonstrations and as a
// baseline. It is privileged (it reads object poses from SceneState instead of cameras) but it is still just a
// policy: measured command-joint positions and the scene in, the next position target out, once per control
// tick. It never touches the sim; it knows only the arm description, its kinematics and the message types.
//
// Phases per box: pre_grasp (joint move above the box, turned square to its faces) → descend (straight down) →
// close → lift (straight up to carry height) → above_bin (joint move) → lower → open → retreat (straight up),
// then the next box; home at the start and at the end. A close that catches nothing, or a box lost on the way,
// is retried from pre_grasp up to maxRetries times, then the box is given up.
import { Kinematics, quatRotateVec3, topDownGrasp } from '../../runtime/robot/index.js';
import type { ArmDescription, Pose, Vec3 } from '../../runtime/robot/index.js';
import type { SceneObject, SceneState } from '../../runtime/messages/index.js';
import { Motion, limitStep } from './motion.js';
import type { MotionLimits } from './motion.js';
import { resolvePickPlaceConfig } from './pick-place-config.js';
import type { PickPlaceExpertConfig, ResolvedPickPlaceConfig } from './pick-place-config.js';

export type { PickPlaceExpertConfig } from './pick-place-config.js';
export { DEFAULT_PICK_PLACE_CONFIG } from './pick-place-config.js';

export type PickPlacePhase =
  | 'home' | 'pre_grasp' | 'descend' | 'close' | 'lift' | 'above_bin' | 'lower' | 'open' | 'retreat' | 'done';

interface Target {
  index: number;
  id: string;
  bin: number;
}

export class PickPlaceExpert {
  readonly description: ArmDescription;
  readonly kinematics: Kinematics;
  readonly dtS: number;
  /** Boxes resting in a bin, as of the last scene. */
  placed = 0;
  /** Ids of boxes given up after maxRetries. */
  readonly failed: string[] = [];
  /** Times the step limiter had to clamp a planned step (should stay 0). */
  stepClamps = 0;

  readonly #c: ResolvedPickPlaceConfig;
  readonly #n: number;
  readonly #g: number;
  readonly #lim: MotionLimits;
  readonly #maxStep: Float64Array;
  readonly #cmd: Float64Array;
  readonly #want: Float64Array;
  readonly #goal: Float64Array;
  readonly #motion: Motion;
  readonly #attempts = new Map<string, number>();
  readonly #tcp: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
  readonly #axisX: Vec3 = { x: 1, y: 0, z: 0 };
  readonly #scratch: Vec3 = { x: 0, y: 0, z: 0 };
  #phase: PickPlacePhase = 'home';
  #started = false;
  #target: Target | undefined;
  #pose: Pose | undefined; // the tcp pose the current line ends at
  #waitS = 0;
  #lastGripper = Number.NaN;
  #heldDropM = 0; // tcp height above the held box's bottom

  constructor(description: ArmDescription, config: PickPlaceExpertConfig = {}, kinematics?: Kinematics) {
    this.description = description;
    this.kinematics = kinematics ?? new Kinematics(description);
    const c = (this.#c = resolvePickPlaceConfig(config));
    this.dtS = 1 / c.controlRateHz;
    const names = description.commandJointNames;
    const n = (this.#n = names.length);
    this.#g = n - 1;
    const specs = names.map((name) => description.joints.find((j) => j.name === name)!);
    const vel = Float64Array.from(specs, (j) => (j.limits.hasVelocityLimits ? j.limits.maxVelocity : 1));
    const acc = Float64Array.from(specs, (j) => (j.limits.hasAccelerationLimits ? j.limits.maxAcceleration : 2));
    this.#lim = { maxVelocity: vel, maxAcceleration: acc, speedFraction: c.speedFraction, accelFraction: c.accelFraction };
    // The last guard stays under 80% of the velocity limit per tick, the safety filter's clamp.
    this.#maxStep = vel.map((v) => 0.78 * v * this.dtS);
    this.#cmd = new Float64Array(n);
    this.#want = new Float64Array(n);
    this.#goal = new Float64Array(n);
    this.#motion = new Motion(this.kinematics, n);
  }

  get phase(): PickPlacePhase {
    return this.#phase;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** The box being worked on, if any. */
  get currentTarget(): string | undefined {
    return this.#target?.id;
  }

  /**
   * One control tick: measured positions (commandJointNames order) and the scene in; the next position targets
   * out (same order, gripper last). Returns the same array every tick: copy it to keep it.
   */
  step(measured: ArrayLike<number>, scene: SceneState): Float64Array {
    if (!this.#started) this.#start(measured);
    this.placed = 0;
    for (const o of scene.objects) if (o.in_bin > 0 && !o.held) this.placed++;
    const m = this.#motion;
    if (this.#phase !== 'done') {
      if (!m.done) {
        this.#want.set(this.#cmd);
        m.sample(this.dtS, this.#want);
        if (limitStep(this.#cmd, this.#want, this.#maxStep)) this.stepClamps++;
      } else if (!this.#reached(this.#goal)) {
        // The limiter lagged the plan: finish the way to the goal.
        limitStep(this.#cmd, this.#goal, this.#maxStep);
      } else {
        this.#next(measured, scene);
      }
    }
    this.#lastGripper = measured[this.#g];
    return this.#cmd;
  }

  #start(measured: ArrayLike<number>): void {
    this.#started = true;
    for (let i = 0; i < this.#n; i++) this.#cmd[i] = measured[i];
    const [x, y, z] = this.#c.homeXyzM;
    if (!this.#solve(topDownGrasp(x, y, z, 0), this.#cmd, this.#goal)) {
      throw new Error(`PickPlaceExpert#step: home (${x}, ${y}, ${z}) is out of reach`);
    }
    this.#goal[this.#g] = this.#gripperOpen();
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = 'home';
  }

  /** The current motion is over: decide what comes next. */
  #next(measured: ArrayLike<number>, scene: SceneState): void {
    const t = this.#target;
    const box = t ? scene.objects[t.index] : undefined;
    switch (this.#phase) {
      case 'home':
      case 'retreat':
        return this.#pickNext(scene);
      case 'pre_grasp':
        return this.#line('descend', this.#graspHeight(box!), this.#cmd[this.#g]);
      case 'descend':
        if (!this.#settled(measured)) return;
        this.#goal.set(this.#cmd);
        this.#goal[this.#g] = Math.max(this.#gripperClosed(), Math.min(box!.size.x, box!.size.y) / 2 - this.#c.squeezeM);
        this.#motion.joint(this.#cmd, this.#goal, this.#lim);
        this.#waitS = 0;
        this.#phase = 'close';
        return;
      case 'close': {
        // Wait for the fingers to stop: on the box, or closed on nothing.
        const still = Math.abs(measured[this.#g] - this.#lastGripper) < 1e-6;
        if (!still && !this.#waited()) return;
        if (!box!.held) return this.#retry();
        this.kinematics.fk(measured, this.#tcp);
        this.#heldDropM = this.#tcp.position.z - (box!.pose.position.z - box!.size.z / 2);
        return this.#line('lift', this.#c.carryHeightM, this.#cmd[this.#g]);
      }
      case 'lift':
        if (!box!.held) return this.#retry();
        return this.#aboveBin(scene);
      case 'above_bin': {
        if (!box!.held) return this.#retry();
        const bin = scene.bins.find((b) => b.number === t!.bin)!;
        const rimZ = bin.pose.position.z + bin.size.z / 2;
        return this.#line('lower', rimZ + this.#c.releaseClearanceM + this.#heldDropM, this.#cmd[this.#g]);
      }
      case 'lower':
        if (!this.#settled(measured)) return;
        this.#goal.set(this.#cmd);
        this.#goal[this.#g] = this.#gripperOpen();
        this.#motion.joint(this.#cmd, this.#goal, this.#lim);
        this.#phase = 'open';
        return;
      case 'open':
        return this.#line('retreat', this.#c.carryHeightM, this.#cmd[this.#g]);
      default:
        return;
    }
  }

  #pickNext(scene: SceneState): void {
    this.#target = undefined;
    let boxIndex = -1;
    for (let i = 0; i < scene.objects.length; i++) {
      const o = scene.objects[i];
      if (o.kind !== 'box') continue;
      boxIndex++;
      if (o.in_bin > 0 || o.held || this.failed.includes(o.id)) continue;
      const tries = this.#attempts.get(o.id) ?? 0;
      if (tries > this.#c.maxRetries) {
        this.failed.push(o.id);
        continue;
      }
      const bin = this.#c.binFor ? this.#c.binFor(boxIndex, o.id, scene.bins.length) : (boxIndex % scene.bins.length) + 1;
      if (!scene.bins.some((b) => b.number === bin)) throw new Error(`PickPlaceExpert#step: no bin ${bin} for ${o.id}`);
      this.#attempts.set(o.id, tries + 1);
      this.#target = { index: i, id: o.id, bin };
      if (this.#preGrasp(o)) return;
      this.failed.push(o.id);
      this.#target = undefined;
    }
    // Nothing left: home, then done.
    if (this.#phase === 'home') {
      this.#phase = 'done';
      return;
    }
    const [x, y, z] = this.#c.homeXyzM;
    this.#solve(topDownGrasp(x, y, z, 0), this.#cmd, this.#goal);
    this.#goal[this.#g] = this.#gripperOpen();
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = 'home';
  }

  /** Joint move above the box, square to its faces, choosing the quarter turn that moves the joints least. */
  #preGrasp(box: SceneObject): boolean {
    const q = box.pose.orientation;
    const yaw = Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
    const { x, y } = box.pose.position;
    const z = box.pose.position.z + box.size.z / 2 + this.#c.approachHeightM;
    let best = Infinity;
    const trial = new Float64Array(this.#n);
    for (let k = 0; k < 4; k++) {
      const pose = topDownGrasp(x, y, z, yaw + (k * Math.PI) / 2);
      // Both ends of the descent must be reachable on this branch.
      if (!this.#solve(pose, this.#cmd, trial)) continue;
      const low = topDownGrasp(x, y, this.#graspHeight(box), yaw + (k * Math.PI) / 2);
      if (!this.kinematics.ik(low, trial, { restarts: 0 }).ok) continue;
      const cost = jointDistance(this.#cmd, trial, this.#n - 1);
      if (cost < best) {
        best = cost;
        this.#goal.set(trial);
        this.#pose = pose;
      }
    }
    if (best === Infinity) return false;
    this.#goal[this.#g] = this.#gripperOpen();
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = 'pre_grasp';
    return true;
  }

  #aboveBin(scene: SceneState): void {
    const bin = scene.bins.find((b) => b.number === this.#target!.bin)!;
    // Turn the tool with the base (wrist_3 stays put), or keep its yaw: whichever moves the joints less.
    this.kinematics.fk(this.#cmd, this.#tcp);
    quatRotateVec3(this.#tcp.orientation, this.#axisX, this.#scratch);
    const toolYaw = Math.atan2(this.#scratch.y, this.#scratch.x);
    const p = this.#tcp.position, b = bin.pose.position;
    const turn = Math.atan2(b.y, b.x) - Math.atan2(p.y, p.x);
    let best = Infinity;
    const trial = new Float64Array(this.#n);
    for (const yaw of [toolYaw + turn, toolYaw]) {
      const pose = topDownGrasp(b.x, b.y, this.#c.carryHeightM, yaw);
      if (!this.#solve(pose, this.#cmd, trial)) continue;
      const cost = jointDistance(this.#cmd, trial, this.#n - 1);
      if (cost < best) { best = cost; this.#goal.set(trial); this.#pose = pose; }
    }
    if (best === Infinity) throw new Error(`PickPlaceExpert#step: bin ${bin.number} is out of reach`);
    this.#goal[this.#g] = this.#cmd[this.#g];
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = 'above_bin';
  }

  /** Straight vertical line from the current line end (this.#pose) to height zM. */
  #line(phase: PickPlacePhase, zM: number, gripper: number): void {
    const from = this.#pose!;
    const to: Pose = { position: { x: from.position.x, y: from.position.y, z: zM }, orientation: from.orientation };
    if (!this.#solve(to, this.#cmd, this.#goal)) throw new Error(`PickPlaceExpert#step: ${phase} to z ${zM.toFixed(3)} is out of reach`);
    this.#goal[this.#g] = gripper;
    this.#motion.linear(this.#cmd, this.#goal, from.position, to.position, from.orientation, this.#lim);
    this.#pose = to;
    this.#phase = phase;
    this.#waitS = 0;
  }

  /** A missed grasp or a lost box: open, back up, and pick again (the attempt was counted). */
  #retry(): void {
    this.#goal.set(this.#cmd);
    this.#goal[this.#g] = this.#gripperOpen();
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = 'open';
  }

  #graspHeight(box: SceneObject): number {
    // The tcp at the box centre, unless that puts the fingertips too close to the box's bottom.
    const bottom = box.pose.position.z - box.size.z / 2;
    return Math.max(box.pose.position.z, bottom + this.#c.fingertipClearanceM + this.#c.fingertipBeyondTcpM);
  }

  #solve(pose: Pose, seed: ArrayLike<number>, out: Float64Array): boolean {
    const ik = this.kinematics.ik(pose, seed);
    if (!ik.ok) return false;
    out.set(ik.q);
    return true;
  }

  #reached(goal: Float64Array): boolean {
    for (let i = 0; i < this.#n; i++) if (this.#cmd[i] !== goal[i]) return false;
    return true;
  }

  /** Measured arm joints within tolerance of the command, or the settle timeout ran out. */
  #settled(measured: ArrayLike<number>): boolean {
    let ok = true;
    for (let i = 0; i < this.#g; i++) if (Math.abs(measured[i] - this.#cmd[i]) > this.#c.settleToleranceRad) ok = false;
    return ok || this.#waited();
  }

  #waited(): boolean {
    this.#waitS += this.dtS;
    return this.#waitS >= this.#c.settleTimeoutS;
  }

  // A hair inside the limits: the safety filter brakes anything arriving at a limit at speed, and counts it.
  #gripperOpen(): number {
    return this.description.gripperJoint.limits.upper - 0.0005;
  }

  #gripperClosed(): number {
    return this.description.gripperJoint.limits.lower + 0.0005;
  }
}

function jointDistance(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
  return s;
}
