// A scripted towel expert: pick the towel by the corner nearest the arm and lay it in a bin. Privileged, like the
// box expert: besides the scene it reads the towel's particle positions, which it is handed as an input (it never
// imports the sim). Measured command-joint positions in; the next position targets out, once per control tick.
//
// Phases: home → pre_grasp (joint move above the corner, tool x along the towel's diagonal so the pads straddle
// the corner) → descend → close → lift (straight up until the towel hangs clear of the table and the bin's rim)
// → above_bin (straight line at carry height) → settle (until the swing dies out) → lower (slowly, deep into the
// bin, so the towel piles up on the floor instead of tipping over a wall) → open → retreat → home → done.
// A close that catches nothing, a towel lost on the way or let go outside the bin is retried from pre_grasp.
import { Kinematics, topDownGrasp } from '../../../runtime/robot/index.js';
import type { ArmDescription, Pose, Quat, Vec3 } from '../../../runtime/robot/index.js';
import type { SceneObject, SceneState } from '../../../runtime/messages/index.js';
import { Motion, limitStep } from '../motion.js';
import type { MotionLimits } from '../motion.js';
import { resolveTowelConfig } from './towel-config.js';
import type { ResolvedTowelConfig, TowelExpertConfig } from './towel-config.js';
import { binOf, cornerIndices, diagonalNeighbour, directionXY, findTowel, jointDistance, particleCentroid } from './towel-geometry.js';

export type { TowelExpertConfig } from './towel-config.js';
export { DEFAULT_TOWEL_CONFIG } from './towel-config.js';

export type TowelPhase =
  | 'home' | 'pre_grasp' | 'descend' | 'close' | 'lift' | 'above_bin' | 'settle' | 'lower' | 'open' | 'retreat' | 'done';
export type TowelResult = 'pending' | 'success' | 'failed';

export class TowelExpert {
  readonly description: ArmDescription;
  readonly kinematics: Kinematics;
  readonly dtS: number;
  /** Grasp attempts so far. */
  attempts = 0;
  /** 'success' or 'failed' once done. */
  result: TowelResult = 'pending';
  /** Particle index of the corner being taken, -1 before the first pick. */
  corner = -1;
  /** Times the step limiter had to clamp a planned step (should stay 0). */
  stepClamps = 0;

  readonly #c: ResolvedTowelConfig;
  readonly #n: number;
  readonly #g: number;
  readonly #lim: MotionLimits;
  readonly #slow: MotionLimits;
  readonly #maxStep: Float64Array;
  readonly #cmd: Float64Array;
  readonly #want: Float64Array;
  readonly #goal: Float64Array;
  readonly #trial: Float64Array;
  readonly #motion: Motion;
  readonly #centroid: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #lastCentroid: Vec3 = { x: Number.NaN, y: 0, z: 0 };
  #phase: TowelPhase = 'home';
  #started = false;
  #finished = false;
  #pose: Pose | undefined; // the tcp pose the current line ends at
  #waitS = 0;
  #lastGripper = Number.NaN;
  #carryZM = 0;
  #speedMS = 0;

  constructor(description: ArmDescription, config: TowelExpertConfig = {}, kinematics?: Kinematics) {
    this.description = description;
    this.kinematics = kinematics ?? new Kinematics(description);
    const c = (this.#c = resolveTowelConfig(config));
    this.dtS = 1 / c.controlRateHz;
    const names = description.commandJointNames;
    const n = (this.#n = names.length);
    this.#g = n - 1;
    const specs = names.map((name) => description.joints.find((j) => j.name === name)!);
    const vel = Float64Array.from(specs, (j) => (j.limits.hasVelocityLimits ? j.limits.maxVelocity : 1));
    const acc = Float64Array.from(specs, (j) => (j.limits.hasAccelerationLimits ? j.limits.maxAcceleration : 2));
    this.#lim = { maxVelocity: vel, maxAcceleration: acc, speedFraction: c.speedFraction, accelFraction: c.accelFraction };
    this.#slow = { ...this.#lim, speedFraction: Math.min(c.speedFraction, c.lowerSpeedFraction) };
    // The last guard stays under 80% of the velocity limit per tick, the safety filter's clamp.
    this.#maxStep = vel.map((v) => 0.78 * v * this.dtS);
    this.#cmd = new Float64Array(n);
    this.#want = new Float64Array(n);
    this.#goal = new Float64Array(n);
    this.#trial = new Float64Array(n);
    this.#motion = new Motion(this.kinematics, n);
  }

  get phase(): TowelPhase {
    return this.#phase;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /**
   * One control tick: measured positions (commandJointNames order), the scene, and the towel's particles (x y z
   * each, row-major rows × cols) in; the next position targets out (same order, gripper last). Returns the same
   * array every tick: copy it to keep it.
   */
  step(measured: ArrayLike<number>, scene: SceneState, particles: ArrayLike<number>): Float64Array {
    const c = this.#c;
    if (particles.length !== 3 * c.rows * c.cols) {
      throw new Error(`TowelExpert#step: expected ${3 * c.rows * c.cols} particle coordinates (${c.rows} × ${c.cols}), got ${particles.length}`);
    }
    const towel = findTowel(scene, c.towelId);
    if (!this.#started) this.#start(measured);
    this.#trackSwing(particles);
    const m = this.#motion;
    if (this.#phase !== 'done') {
      if (!m.done) {
        this.#want.set(this.#cmd);
        m.sample(this.dtS, this.#want);
        if (limitStep(this.#cmd, this.#want, this.#maxStep)) this.stepClamps++;
      } else if (!this.#reached(this.#goal)) {
        limitStep(this.#cmd, this.#goal, this.#maxStep); // the limiter lagged the plan: finish the way
      } else {
        this.#next(measured, scene, towel, particles);
      }
    }
    this.#lastGripper = measured[this.#g];
    return this.#cmd;
  }

  #start(measured: ArrayLike<number>): void {
    this.#started = true;
    for (let i = 0; i < this.#n; i++) this.#cmd[i] = measured[i];
    this.#home();
  }

  #home(): void {
    const [x, y, z] = this.#c.homeXyzM;
    if (!this.#solve(topDownGrasp(x, y, z, 0), this.#cmd, this.#goal)) {
      throw new Error(`TowelExpert#step: home (${x}, ${y}, ${z}) is out of reach`);
    }
    this.#goal[this.#g] = this.#gripperOpen();
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = 'home';
  }

  /** The current motion is over: decide what comes next. */
  #next(measured: ArrayLike<number>, scene: SceneState, towel: SceneObject, particles: ArrayLike<number>): void {
    const c = this.#c;
    switch (this.#phase) {
      case 'home':
        if (this.#finished) { this.#phase = 'done'; return; }
        return this.#pick(towel, particles);
      case 'retreat':
        return this.#pick(towel, particles);
      case 'pre_grasp':
        return this.#line('descend', this.#graspZ(particles), this.#lim);
      case 'descend':
        if (!this.#settled(measured)) return;
        return this.#gripper('close', this.#gripperClosed());
      case 'close': {
        // Wait for the fingers to stop, then see whether they caught the towel.
        const still = Math.abs(measured[this.#g] - this.#lastGripper) < 1e-6;
        if (!still && !this.#waited()) return;
        if (!towel.held) return this.#gripper('open', this.#gripperOpen());
        const bin = binOf(scene, c.bin);
        const hangM = Math.hypot(towel.size.x, towel.size.y) + c.fingertipBeyondTcpM;
        const floorM = Math.max(c.tableTopZM, bin.pose.position.z + bin.size.z / 2);
        this.#carryZM = Math.min(c.maxCarryHeightM, floorM + hangM + c.hangClearanceM);
        return this.#line('lift', this.#carryZM, this.#lim);
      }
      case 'lift': {
        if (!towel.held) return this.#gripper('open', this.#gripperOpen());
        const b = binOf(scene, c.bin).pose.position;
        return this.#lineTo('above_bin', b.x, b.y, this.#carryZM, this.#lim);
      }
      case 'above_bin':
        if (!towel.held) return this.#gripper('open', this.#gripperOpen());
        this.#phase = 'settle';
        this.#waitS = 0;
        return;
      case 'settle': {
        const p = this.#pose!.position;
        const off = Math.hypot(this.#centroid.x - p.x, this.#centroid.y - p.y);
        if (!(off < c.swingToleranceM && this.#speedMS < c.swingSpeedMS) && !this.#waited()) return;
        const bin = binOf(scene, c.bin);
        return this.#line('lower', bin.pose.position.z - bin.size.z / 2 + c.releaseAboveBaseM, this.#slow);
      }
      case 'lower':
        if (!this.#settled(measured)) return;
        return this.#gripper('open', this.#gripperOpen());
      case 'open': {
        const bin = binOf(scene, c.bin);
        const up = Math.max(this.#pose!.position.z + c.approachHeightM, bin.pose.position.z + bin.size.z / 2 + 0.2);
        return this.#line('retreat', Math.min(up, c.maxCarryHeightM), this.#lim);
      }
      default:
        return;
    }
  }

  /** Done when the towel is in the bin or out of attempts; otherwise the next attempt at the nearest corner. */
  #pick(towel: SceneObject, particles: ArrayLike<number>): void {
    const c = this.#c;
    const ok = c.success ? c.success(towel, particles) : towel.in_bin === c.bin && !towel.held;
    if (ok || this.attempts > c.maxRetries) {
      this.result = ok ? 'success' : 'failed';
      this.#finished = true;
      return this.#home();
    }
    this.attempts++;
    if (!this.#preGrasp(particles)) {
      this.result = 'failed';
      this.#finished = true;
      this.#home();
    }
  }

  /**
   * Joint move above the reachable corner nearest the arm's base, tool x along the diagonal into the towel (the
   * pads then straddle the corner), choosing of the two tool yaws the one that moves the joints less.
   */
  #preGrasp(particles: ArrayLike<number>): boolean {
    const c = this.#c, corners = cornerIndices(c.rows, c.cols);
    const order = corners.slice().sort((a, b) => Math.hypot(particles[3 * a], particles[3 * a + 1]) - Math.hypot(particles[3 * b], particles[3 * b + 1]));
    particleCentroid(particles, this.#centroid);
    for (const k of order) {
      const [dx, dy] = directionXY(particles, k, diagonalNeighbour(k, c.rows, c.cols), this.#centroid);
      const x = particles[3 * k] + c.graspInsetM * dx, y = particles[3 * k + 1] + c.graspInsetM * dy;
      const zLow = this.#graspZAt(particles, k), zHigh = zLow + c.approachHeightM;
      const yaw = Math.atan2(dy, dx);
      let best = Infinity;
      for (const turn of [0, Math.PI]) {
        const pose = topDownGrasp(x, y, zHigh, yaw + turn);
        if (!this.#solve(pose, this.#cmd, this.#trial)) continue;
        if (!this.kinematics.ik(topDownGrasp(x, y, zLow, yaw + turn), this.#trial, { restarts: 0 }).ok) continue;
        const cost = jointDistance(this.#cmd, this.#trial, this.#g);
        if (cost < best) { best = cost; this.#goal.set(this.#trial); this.#pose = pose; }
      }
      if (best === Infinity) continue;
      this.corner = k;
      this.#goal[this.#g] = this.#gripperOpen();
      this.#motion.joint(this.#cmd, this.#goal, this.#lim);
      this.#phase = 'pre_grasp';
      return true;
    }
    return false;
  }

  #graspZ(particles: ArrayLike<number>): number {
    return this.#graspZAt(particles, this.corner);
  }

  /** Tcp height that puts the fingertips just above the corner particle (tool z points down). */
  #graspZAt(particles: ArrayLike<number>, k: number): number {
    return particles[3 * k + 2] + this.#c.fingertipClearanceM + this.#c.fingertipBeyondTcpM;
  }

  /** Straight vertical line from the current line end to height zM, gripper as commanded. */
  #line(phase: TowelPhase, zM: number, lim: MotionLimits): void {
    const p = this.#pose!.position;
    this.#lineTo(phase, p.x, p.y, zM, lim);
  }

  /** Straight tcp line from the current line end to (x, y, z) at the same orientation. */
  #lineTo(phase: TowelPhase, x: number, y: number, z: number, lim: MotionLimits): void {
    const from = this.#pose!;
    const o: Quat = from.orientation;
    const to: Pose = { position: { x, y, z }, orientation: o };
    if (!this.#solve(to, this.#cmd, this.#goal)) {
      throw new Error(`TowelExpert#step: ${phase} to (${x.toFixed(3)}, ${y.toFixed(3)}, ${z.toFixed(3)}) is out of reach`);
    }
    this.#goal[this.#g] = this.#cmd[this.#g];
    this.#motion.linear(this.#cmd, this.#goal, from.position, to.position, o, lim);
    this.#pose = to;
    this.#phase = phase;
    this.#waitS = 0;
  }

  /** Gripper-only move (close or open) where the arm stands. */
  #gripper(phase: 'close' | 'open', target: number): void {
    this.#goal.set(this.#cmd);
    this.#goal[this.#g] = target;
    this.#motion.joint(this.#cmd, this.#goal, this.#lim);
    this.#phase = phase;
    this.#waitS = 0;
  }

  /** The towel's centroid and how fast it moves, from one tick to the next. */
  #trackSwing(particles: ArrayLike<number>): void {
    const c = particleCentroid(particles, this.#centroid), l = this.#lastCentroid;
    this.#speedMS = Number.isNaN(l.x) ? Infinity : Math.hypot(c.x - l.x, c.y - l.y, c.z - l.z) / this.dtS;
    l.x = c.x; l.y = c.y; l.z = c.z;
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
