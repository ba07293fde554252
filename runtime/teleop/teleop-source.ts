// Teleop as a CommandSource: the operator's jog inputs become position targets on the robot, one control tick
// at a time, and go through the same SafetyFilter as any policy (the pipeline does that, not us).
//
// Dead-man: an input is valid for inputTtlMs only. The page repeats it at 20–30 Hz while a key or button is
// held; when the repeats stop (key up, page frozen, socket dropped), next() returns null, the pipeline writes
// nothing, and the CommandWatchdog holds the arm one timeout later. No input ever moves the arm by itself.
//
// Targets integrate from the last target rather than the measured position, so a lagging arm is not asked to
// crawl; the lead over the measured position is capped so a blocked arm is not wound up.
import type { ArmDescription, Pose, Quat, Vec3 } from '../robot/index.js';
import type { Kinematics } from '../robot/index.js';
import { quatFromAxisAngle, quatMultiply, quatNormalize } from '../robot/index.js';
import type { CommandSource } from '../loop/control-pipeline.js';
import type { TickInfo } from '../loop/fixed-rate-loop.js';

export interface TeleopConfig {
  /** How long one jog message keeps the arm moving (default 100 ms, the watchdog's timeout). */
  inputTtlMs: number;
  /** Tool jog speed at speed scale 1 and full deflection. */
  linearSpeedMps: number;
  angularSpeedRadps: number;
  /** Initial speed scale in (0, 1]: a fraction of every velocity limit. */
  speedScale: number;
  /** Largest lead of an arm-joint target over the measured position, rad. */
  maxLeadRad: number;
}

export const DEFAULT_TELEOP_CONFIG: Readonly<TeleopConfig> = Object.freeze({
  inputTtlMs: 100,
  linearSpeedMps: 0.15,
  angularSpeedRadps: 0.8,
  speedScale: 0.5,
  maxLeadRad: 0.15,
});

type Input =
  | { kind: 'joint'; velocity: Float64Array }
  | { kind: 'cartesian'; linear: Vec3; angular: Vec3 }
  | { kind: 'pose'; pose: Pose; solution: Float64Array | null }
  | { kind: 'gripper'; action: 'open' | 'close' };

export class TeleopSource implements CommandSource {
  readonly name = 'teleop';
  readonly config: Readonly<TeleopConfig>;
  readonly #kin: Kinematics;
  readonly #desc: ArmDescription;
  readonly #nowNs: () => bigint;
  readonly #n: number;
  readonly #g: number;
  readonly #maxVel: Float64Array;
  readonly #lower: Float64Array;
  readonly #upper: Float64Array;
  #speed: number;
  #input: Input | undefined;
  #inputAtNs = 0n;
  #target: Float64Array | null = null;
  /** After a reset (e-stop, take-over) a held input must be let go before it moves the arm again. */
  #needsRelease = false;
  /** Last IK failure, for the operator (cleared by a success). */
  lastError: string | undefined;

  constructor(desc: ArmDescription, kinematics: Kinematics, nowNs: () => bigint, config: Partial<TeleopConfig> = {}) {
    this.config = Object.freeze({ ...DEFAULT_TELEOP_CONFIG, ...config });
    this.#desc = desc;
    this.#kin = kinematics;
    this.#nowNs = nowNs;
    this.#n = desc.armJoints.length;
    this.#g = this.#n;
    const all = [...desc.armJoints, desc.gripperJoint];
    this.#maxVel = Float64Array.from(all, (j) => (j.limits.hasVelocityLimits ? j.limits.maxVelocity : 1));
    this.#lower = Float64Array.from(all, (j) => (j.limits.hasPositionLimits ? j.limits.lower : -Infinity));
    this.#upper = Float64Array.from(all, (j) => (j.limits.hasPositionLimits ? j.limits.upper : Infinity));
    this.#speed = this.config.speedScale;
  }

  get speedScale(): number { return this.#speed; }

  setSpeed(scale: number): void {
    if (!(scale > 0 && scale <= 1)) throw new RangeError(`TeleopSource#setSpeed: scale must be in (0, 1], got ${scale}`);
    this.#speed = scale;
  }

  /**
   * Forget the previous target: the next input starts from the measured state (take-over, e-stop, hold). An
   * input stream still running now is ignored until it stops for one dead-man period: after an e-stop is
   * released, a key that was held through it must be pressed again before the arm moves.
   */
  reset(): void {
    this.#target = null;
    this.#input = undefined;
    this.#needsRelease = true;
  }

  jogJoint(velocity: readonly number[]): string | undefined {
    if (velocity.length !== this.#n) return `expected ${this.#n} velocities (one per arm joint), got ${velocity.length}`;
    this.#set({ kind: 'joint', velocity: Float64Array.from(velocity, clampUnit) });
    return undefined;
  }

  jogCartesian(linear: Vec3, angular: Vec3): string | undefined {
    this.#set({
      kind: 'cartesian',
      linear: { x: clampUnit(linear.x), y: clampUnit(linear.y), z: clampUnit(linear.z) },
      angular: { x: clampUnit(angular.x), y: clampUnit(angular.y), z: clampUnit(angular.z) },
    });
    return undefined;
  }

  gotoPose(pose: Pose): string | undefined {
    const prev = this.#input;
    const orientation = quatNormalize(pose.orientation);
    // The gizmo re-sends the same pose while held: keep the solved joints rather than re-solving each message.
    if (prev?.kind === 'pose' && samePose(prev.pose, pose.position, orientation)) {
      this.#inputAtNs = this.#nowNs();
      return undefined;
    }
    this.#set({ kind: 'pose', pose: { position: { ...pose.position }, orientation }, solution: null });
    return undefined;
  }

  gripper(action: 'open' | 'close'): string | undefined {
    this.#set({ kind: 'gripper', action });
    return undefined;
  }

  next(measured: Float64Array, _state: unknown, tick: Pick<TickInfo, 'nominalPeriodS'>): Float64Array | null {
    const input = this.#input;
    if (!input || this.#nowNs() - this.#inputAtNs > BigInt(this.config.inputTtlMs) * 1_000_000n) {
      // Released: the next press starts from where the arm actually is.
      this.#target = null;
      return null;
    }
    let target = this.#target;
    if (target === null) target = this.#target = Float64Array.from(measured);
    // The nominal period, not the measured one: a late tick must not license a longer step.
    const dt = tick.nominalPeriodS;
    switch (input.kind) {
      case 'joint':
        for (let i = 0; i < this.#n; i++) target[i] += input.velocity[i] * this.#maxVel[i] * this.#speed * dt;
        break;
      case 'cartesian':
        this.#cartesianStep(target, input.linear, input.angular, dt);
        break;
      case 'pose':
        if (input.solution === null) input.solution = this.#solve(input.pose, target);
        if (input.solution) this.#stepTowards(target, input.solution, dt);
        break;
      case 'gripper': {
        const g = this.#g;
        const goal = input.action === 'open' ? this.#upper[g] : this.#lower[g];
        const step = this.#maxVel[g] * this.#speed * dt;
        target[g] += Math.max(-step, Math.min(step, goal - target[g]));
        break;
      }
    }
    for (let i = 0; i <= this.#n; i++) {
      target[i] = Math.min(this.#upper[i], Math.max(this.#lower[i], target[i]));
      if (i < this.#n) {
        const lead = this.config.maxLeadRad;
        target[i] = Math.min(measured[i] + lead, Math.max(measured[i] - lead, target[i]));
      }
    }
    return target;
  }

  #set(input: Input): void {
    const now = this.#nowNs();
    if (this.#needsRelease) {
      const stale = now - this.#inputAtNs > BigInt(this.config.inputTtlMs) * 1_000_000n;
      if (!stale) {
        this.#inputAtNs = now; // still the same held input: keep waiting for the gap
        return;
      }
      this.#needsRelease = false;
    }
    this.#input = input;
    this.#inputAtNs = now;
  }

  #cartesianStep(target: Float64Array, linear: Vec3, angular: Vec3, dt: number): void {
    const pose = this.#kin.fk(target);
    const v = this.config.linearSpeedMps * this.#speed * dt;
    pose.position.x += linear.x * v;
    pose.position.y += linear.y * v;
    pose.position.z += linear.z * v;
    const w = Math.hypot(angular.x, angular.y, angular.z);
    if (w > 1e-9) {
      const angle = w * this.config.angularSpeedRadps * this.#speed * dt;
      const dq = quatFromAxisAngle({ x: angular.x / w, y: angular.y / w, z: angular.z / w }, angle);
      // Base-frame rotation: pre-multiply.
      pose.orientation = quatNormalize(quatMultiply(dq, pose.orientation));
    }
    const solution = this.#solve(pose, target);
    if (solution) this.#stepTowards(target, solution, dt);
  }

  /** IK from the current target, on the seed's branch only: a jog must never flip the elbow. */
  #solve(pose: Pose, seed: Float64Array): Float64Array | null {
    const r = this.#kin.ik(pose, seed, { restarts: 0, maxIterations: 60, positionToleranceM: 5e-4, orientationToleranceRad: 5e-3 });
    if (!r.ok && (r.positionErrorM > 0.01 || r.orientationErrorRad > 0.05)) {
      this.lastError = `no IK solution near the current pose (error ${(r.positionErrorM * 1000).toFixed(0)} mm)`;
      return null;
    }
    this.lastError = undefined;
    return r.q;
  }

  /** Moves the arm part of target towards q, each joint at most its speed-scaled velocity limit. */
  #stepTowards(target: Float64Array, q: ArrayLike<number>, dt: number): void {
    for (let i = 0; i < this.#n; i++) {
      const step = this.#maxVel[i] * this.#speed * dt;
      target[i] += Math.max(-step, Math.min(step, q[i] - target[i]));
    }
  }

  get description(): ArmDescription { return this.#desc; }
}

function clampUnit(v: number): number {
  return Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
}

function samePose(a: Pose, p: Vec3, q: Quat): boolean {
  const d = Math.hypot(a.position.x - p.x, a.position.y - p.y, a.position.z - p.z);
  const dot = Math.abs(a.orientation.x * q.x + a.orientation.y * q.y + a.orientation.z * q.z + a.orientation.w * q.w);
  return d < 1e-5 && dot > 1 - 1e-9;
}
