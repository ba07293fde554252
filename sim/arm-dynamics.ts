// Joint-level dynamics of the sim arm: every command joint (arm joints, then the gripper finger) tracks a
// position target at a fixed servo rate without ever exceeding its velocity or acceleration limit.
//
// Targets written at the policy rate are ramped linearly over `rampS` (the driver passes its write period), so a
// 30 Hz staircase becomes a servo-rate reference r(t) moving at the ramp speed. Each servo step a joint wants
//   the ramp speed (feedforward) + the time-optimal catch-up speed toward r(t),
// capped so that it can still stop, braking at its acceleration limit, on its stop point; then the change of
// speed is clamped to the acceleration limit and the speed to the velocity limit.
//
// The stop point is the latest target, plus, when the writes form a feasible stream (ramp speed within the
// velocity limit and its change within the acceleration limit, as the safety filter guarantees), the distance
// the stream itself would need to brake from its speed. So a smooth stream is followed with a lag of at most
// one write period, and a jump (a step target, teleop) is approached time-optimally with no overshoot. A stream
// that stops dead at speed overshoots by at most v²/2a, as a real arm would, and comes back.
//
// "Time-optimal catch-up" is the discrete law: the largest speed from which braking by a·dt per step, integrated
// the way the sim integrates (semi-implicit Euler), ends exactly on the point; near it this is distance/dt, so the
// last step lands exactly and the joint settles without chatter.
//
// Effort: the description carries no link masses, so gravity is not modelled; effort is a nominal inertia times
// the acceleration, plus the squeeze force when the gripper is blocked by a grasped object.
import type { ArmDescription, JointSpec } from '../runtime/robot/arm-description.js';

export interface ArmDynamicsConfig {
  /** Servo (integration) rate. Default 1000 Hz; at least 500 Hz. */
  servoRateHz?: number;
  /** Used where the description has no velocity limit: rad/s for rotary joints. Default 1.0. */
  defaultMaxVelocityRadS?: number;
  /** Used where the description has no velocity limit: m/s for prismatic joints. Default 0.05. */
  defaultMaxVelocityMS?: number;
  /** Used where the description has no acceleration limit: rad/s² for rotary joints. Default 4.0. */
  defaultMaxAccelerationRadS2?: number;
  /** Used where the description has no acceleration limit: m/s² for prismatic joints. Default 0.5. */
  defaultMaxAccelerationMS2?: number;
  /** Nominal inertia for the effort model, kg·m² (rotary) or kg (prismatic), per command joint. Default 0.5 / 0.1. */
  inertia?: ArrayLike<number>;
  /** Squeeze force reported as the gripper's effort while a grasped object blocks it, N. Default: effort limit or 20. */
  gripForceN?: number;
}

export class ArmDynamics {
  readonly dof: number;
  readonly jointNames: readonly string[];
  readonly servoRateHz: number;
  readonly servoDtS: number;
  /** Measured state, command order. Mutated in place every servo step. */
  readonly position: Float64Array;
  readonly velocity: Float64Array;
  readonly acceleration: Float64Array;
  readonly effort: Float64Array;
  /** Latest target (clamped to the position limits), and the servo-rate reference ramping toward it. */
  readonly target: Float64Array;
  readonly reference: Float64Array;
  readonly maxVelocity: Float64Array;
  readonly maxAcceleration: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Index of the gripper in command order (the last one). */
  readonly gripperIndex: number;

  readonly #inertia: Float64Array;
  readonly #maxEffort: Float64Array;
  readonly #rampStep: Float64Array;
  readonly #rampVel: Float64Array; // ramp speed of the current write, units/s
  readonly #stopPoint: Float64Array; // where the joint must be able to stop
  readonly #stop: Float64Array; // lower position stop per joint (grasped object between the fingers), -Inf = none
  readonly #gripForceN: number;
  #rampStepsLeft = 0;
  #holding = false;
  #pendingS = 0;

  constructor(description: ArmDescription, config: ArmDynamicsConfig = {}) {
    const servoRateHz = config.servoRateHz ?? 1000;
    if (!(servoRateHz >= 500) || !Number.isFinite(servoRateHz)) {
      throw new Error(`ArmDynamics#constructor: servoRateHz must be >= 500, got ${servoRateHz}`);
    }
    this.servoRateHz = servoRateHz;
    this.servoDtS = 1 / servoRateHz;
    const specs = description.commandJointNames.map((name) => {
      const spec = description.joints.find((j) => j.name === name);
      if (!spec) throw new Error(`ArmDynamics#constructor: command joint ${name} not in ${description.source}`);
      return spec;
    });
    const n = (this.dof = specs.length);
    this.jointNames = specs.map((s) => s.name);
    this.gripperIndex = n - 1;
    this.position = new Float64Array(n);
    this.velocity = new Float64Array(n);
    this.acceleration = new Float64Array(n);
    this.effort = new Float64Array(n);
    this.target = new Float64Array(n);
    this.reference = new Float64Array(n);
    this.maxVelocity = new Float64Array(n);
    this.maxAcceleration = new Float64Array(n);
    this.lower = new Float64Array(n);
    this.upper = new Float64Array(n);
    this.#inertia = new Float64Array(n);
    this.#maxEffort = new Float64Array(n);
    this.#rampStep = new Float64Array(n);
    this.#rampVel = new Float64Array(n);
    this.#stopPoint = new Float64Array(n);
    this.#stop = new Float64Array(n).fill(-Infinity);
    for (let i = 0; i < n; i++) this.#initJoint(i, specs[i], config);
    const g = specs[this.gripperIndex].limits;
    this.#gripForceN = config.gripForceN ?? (g.hasEffortLimits ? g.maxEffort : 20);
    // Start at rest at the middle of the limits (or 0), inside every range; the world sets its home pose.
    for (let i = 0; i < n; i++) this.position[i] = Number.isFinite(this.lower[i] + this.upper[i]) ? clampTo(0, this.lower[i], this.upper[i]) : 0;
    this.setPositions(this.position);
  }

  #initJoint(i: number, spec: JointSpec, config: ArmDynamicsConfig): void {
    const prismatic = spec.type === 'prismatic';
    const l = spec.limits;
    this.maxVelocity[i] = l.hasVelocityLimits && l.maxVelocity > 0 ? l.maxVelocity
      : prismatic ? config.defaultMaxVelocityMS ?? 0.05 : config.defaultMaxVelocityRadS ?? 1.0;
    this.maxAcceleration[i] = l.hasAccelerationLimits && l.maxAcceleration > 0 ? l.maxAcceleration
      : prismatic ? config.defaultMaxAccelerationMS2 ?? 0.5 : config.defaultMaxAccelerationRadS2 ?? 4.0;
    this.lower[i] = l.hasPositionLimits ? l.lower : -Infinity;
    this.upper[i] = l.hasPositionLimits ? l.upper : Infinity;
    this.#inertia[i] = config.inertia?.[i] ?? (prismatic ? 0.1 : 0.5);
    this.#maxEffort[i] = l.hasEffortLimits ? l.maxEffort : Infinity;
  }

  get holding(): boolean {
    return this.#holding;
  }

  /** Teleports the joints (clamped to their limits) and leaves them at rest there, targets included. */
  setPositions(q: ArrayLike<number>): void {
    this.#checkLength(q, 'setPositions');
    for (let i = 0; i < this.dof; i++) {
      const x = clampTo(q[i], this.lower[i], this.upper[i]);
      this.position[i] = this.target[i] = this.reference[i] = this.#stopPoint[i] = x;
      this.#rampVel[i] = this.#rampStep[i] = 0;
      this.velocity[i] = this.acceleration[i] = this.effort[i] = 0;
    }
    this.#rampStepsLeft = 0;
    this.#holding = false;
  }

  /**
   * New position targets (clamped to the limits), reached by ramping the reference over `rampS` seconds.
   * Ends a hold; the ramp then starts from where the joints are, not from the reference before the hold.
   */
  setTarget(q: ArrayLike<number>, rampS = 0): void {
    this.#checkLength(q, 'setTarget');
    if (this.#holding) {
      this.reference.set(this.position);
      this.#rampVel.fill(0);
    }
    this.#holding = false;
    const steps = Math.max(1, Math.round(rampS / this.servoDtS));
    const durationS = steps * this.servoDtS;
    for (let i = 0; i < this.dof; i++) {
      const x = clampTo(q[i], this.lower[i], this.upper[i]);
      if (Number.isNaN(x)) throw new Error(`ArmDynamics#setTarget: joint ${this.jointNames[i]} target is NaN`);
      const a = this.maxAcceleration[i];
      const vr = (x - this.reference[i]) / durationS;
      // A feasible stream may be followed without stopping at each write; anything else is a jump.
      const stream = steps > 1 && Math.abs(vr) <= this.maxVelocity[i] * 1.001
        && Math.abs(vr - this.#rampVel[i]) <= 2 * a * durationS + 1e-9;
      const brakeM = stream ? (vr * vr) / (2 * a) + Math.abs(vr) * this.servoDtS : 0;
      this.#stopPoint[i] = clampTo(vr >= 0 ? x + brakeM : x - brakeM, this.lower[i], this.upper[i]);
      this.target[i] = x;
      this.#rampStep[i] = (x - this.reference[i]) / steps;
      this.#rampVel[i] = steps > 1 ? vr : 0;
    }
    this.#rampStepsLeft = steps;
  }

  /** Protective stop: every joint decelerates at its acceleration limit and stays still until setTarget. */
  hold(): void {
    this.#holding = true;
    this.#rampStepsLeft = 0;
    this.#rampVel.fill(0);
  }

  /** A lower position stop for one joint (the gripper closing on an object); -Infinity removes it. */
  setLowerStop(index: number, position: number): void {
    this.#stop[index] = position;
    if (this.position[index] < position) this.position[index] = position;
  }

  lowerStop(index: number): number {
    return this.#stop[index];
  }

  /** Advances by dtS seconds: as many whole servo steps as are due (the remainder carries over). */
  step(dtS: number): void {
    const n = this.takeSteps(dtS);
    for (let k = 0; k < n; k++) this.substep();
  }

  /** Consumes dtS of time and returns how many servo steps are now due; for callers that act between steps. */
  takeSteps(dtS: number): number {
    if (!(dtS >= 0)) throw new Error(`ArmDynamics#takeSteps: dtS must be >= 0, got ${dtS}`);
    this.#pendingS += dtS;
    // The small slack keeps 1/30 s from giving 33, 33, 34 steps through rounding of the sum.
    const n = Math.floor(this.#pendingS / this.servoDtS + 1e-9);
    this.#pendingS -= n * this.servoDtS;
    if (this.#pendingS < 0) this.#pendingS = 0;
    return n;
  }

  /** One servo step of every joint. */
  substep(): void {
    const dt = this.servoDtS;
    const ramping = this.#rampStepsLeft > 0;
    if (ramping) this.#rampStepsLeft--;
    for (let i = 0; i < this.dof; i++) {
      const a = this.maxAcceleration[i];
      const vMax = this.maxVelocity[i];
      const v = this.velocity[i];
      let vDes: number;
      if (this.#holding) {
        vDes = 0;
      } else {
        let vff = 0;
        if (ramping) {
          this.reference[i] = this.#rampStepsLeft === 0 ? this.target[i] : this.reference[i] + this.#rampStep[i];
          vff = this.#rampVel[i];
        }
        const e = this.reference[i] - this.position[i];
        vDes = vff + (e >= 0 ? stoppableSpeed(e, a, dt) : -stoppableSpeed(-e, a, dt));
        const d = this.#stopPoint[i] - this.position[i];
        if (d >= 0) { const cap = stoppableSpeed(d, a, dt); if (vDes > cap) vDes = cap; }
        else { const cap = -stoppableSpeed(-d, a, dt); if (vDes < cap) vDes = cap; }
      }
      const dv = a * dt;
      let vNew = vDes > v + dv ? v + dv : vDes < v - dv ? v - dv : vDes;
      if (vNew > vMax) vNew = vMax;
      else if (vNew < -vMax) vNew = -vMax;
      let x = this.position[i] + vNew * dt;
      // Rounding only: the stop point lies within the limits and the joint can always stop on it.
      if (x < this.lower[i]) x = this.lower[i];
      else if (x > this.upper[i]) x = this.upper[i];
      let acc = (vNew - v) / dt;
      let effort = this.#inertia[i] * acc;
      if (x <= this.#stop[i]) {
        // Contact with a grasped object: the fingers stop dead and squeeze (an impulse, outside the limits).
        x = this.#stop[i];
        vNew = 0;
        acc = 0;
        effort = this.target[i] < x ? -this.#gripForceN : 0;
      }
      const eMax = this.#maxEffort[i];
      this.position[i] = x;
      this.velocity[i] = vNew;
      this.acceleration[i] = acc;
      this.effort[i] = effort > eMax ? eMax : effort < -eMax ? -eMax : effort;
    }
  }

  /** True when every joint is at rest on its target (within tolM) or blocked by a stop. */
  settled(tol = 1e-6): boolean {
    for (let i = 0; i < this.dof; i++) {
      if (Math.abs(this.velocity[i]) > tol) return false;
      if (this.#holding) continue;
      const blocked = this.position[i] <= this.#stop[i] && this.target[i] < this.position[i];
      if (!blocked && Math.abs(this.target[i] - this.position[i]) > tol) return false;
    }
    return true;
  }

  #checkLength(q: ArrayLike<number>, method: string): void {
    if (q.length !== this.dof) throw new Error(`ArmDynamics#${method}: expected ${this.dof} positions, got ${q.length}`);
  }
}

/**
 * Largest speed toward a reference `d` ahead from which braking by a·dt each step (the position moves with the new
 * speed) ends exactly on it. With u = a·dt and v = (k + f)·u (k whole, 0 <= f < 1), the braking speeds are
 * v, v - u, ..., f·u and cover a·dt²·(k(k+1)/2 + (k+1)·f); solve that for the largest v. Close to the
 * reference (k = 0) this is d/dt: the last step lands on it.
 */
export function stoppableSpeed(d: number, a: number, dt: number): number {
  const u = a * dt;
  const steps = d / (u * dt);
  let k = Math.floor((Math.sqrt(1 + 8 * steps) - 1) / 2);
  // Guard the square root's rounding at whole k.
  if (((k + 1) * (k + 2)) / 2 <= steps) k++;
  else if ((k * (k + 1)) / 2 > steps) k--;
  const f = (steps - (k * (k + 1)) / 2) / (k + 1);
  return (k + f) * u;
}

function clampTo(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
