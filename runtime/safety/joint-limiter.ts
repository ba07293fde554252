// Per-joint limits for one tick, as a pure function over typed arrays: given the last safe position and velocity,
// the command and the measured position, it writes the safe position and reports which limits bound it
// (ros2_control's joint_limits style), or that none fits.
//
// The new velocity v = (q − q_prev)/dt must lie in the intersection of
//   velocity  [−vmax, vmax]
//   accel     [v_prev − a·dt, v_prev + a·dt]
//   position  the braking window: after this step the joint can still stop before its limit at deceleration a,
//             v·dt + v²/2a ≤ upper − q_prev (and the same towards lower); plain [lower, upper] without an accel limit
//   step      |q − measured| ≤ maxStep
// The first three always intersect (braking by a·dt towards zero is in each), so position, velocity and
// acceleration limits hold on every result. When the step window misses them, the arm is too far from where it
// was told to be: INFEASIBLE, for the caller to reject.
//
// Numbers travel in typed arrays, never as arguments, results or object fields: a double crossing a call that V8
// does not inline is boxed, i.e. allocated, and this runs for every joint on every tick.
import type { ArmDescription } from '../robot/arm-description.js';
import { UserError } from '../errors.js';
import type { SafetyFilterConfig } from './safety-config.js';
import { ruleBit } from './safety-rules.js';

/** Limits of the command joints (arm joints, then the gripper), ±Infinity where a joint has none. */
export interface JointLimitTable {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Already scaled by velocityScale / accelerationScale. */
  readonly vmax: Float64Array;
  readonly amax: Float64Array;
  /** Largest distance from the measured position. */
  readonly maxStep: Float64Array;
}

/** The motion history one tick reads (prev*) and writes (next*). scalars[0] is dt in seconds. */
export interface JointMotion {
  readonly prev: Float64Array;
  readonly prevVel: Float64Array;
  readonly next: Float64Array;
  readonly nextVel: Float64Array;
  readonly scalars: Float64Array;
}

export const INFEASIBLE = -1;
const NONE = 0;
const POSITION = ruleBit('position_limit'), VELOCITY = ruleBit('velocity_limit');
const ACCELERATION = ruleBit('acceleration_limit'), STEP = ruleBit('max_step');

type StepConfig = Pick<SafetyFilterConfig, 'maxStepFraction' | 'maxStepRad' | 'gripperMaxStepFraction' | 'velocityScale' | 'accelerationScale'>;

/** Reads the URDF limits once; a limit the filter cannot work with is the URDF's mistake (UserError). */
export function jointLimitTable(description: ArmDescription, config: StepConfig): JointLimitTable {
  const joints = [...description.armJoints, description.gripperJoint];
  const gripper = joints.length - 1;
  joints.forEach(({ name, limits: l }) => {
    const where = `SafetyFilter: ${description.source}: joint '${name}'`;
    if (l.hasPositionLimits && !(Number.isFinite(l.lower) && Number.isFinite(l.upper) && l.lower <= l.upper)) {
      throw new UserError(`${where} has position limits [${l.lower}, ${l.upper}]; lower must be <= upper, both finite`);
    }
    if (l.hasVelocityLimits && !(l.maxVelocity > 0)) throw new UserError(`${where} has velocity limit ${l.maxVelocity}; it must be > 0`);
    if (l.hasAccelerationLimits && !(l.maxAcceleration > 0)) throw new UserError(`${where} has acceleration limit ${l.maxAcceleration}; it must be > 0`);
  });
  const limits = joints.map((j) => j.limits);
  return {
    lower: Float64Array.from(limits, (l) => (l.hasPositionLimits ? l.lower : -Infinity)),
    upper: Float64Array.from(limits, (l) => (l.hasPositionLimits ? l.upper : Infinity)),
    vmax: Float64Array.from(limits, (l) => (l.hasVelocityLimits ? l.maxVelocity * config.velocityScale : Infinity)),
    amax: Float64Array.from(limits, (l) => (l.hasAccelerationLimits ? l.maxAcceleration * config.accelerationScale : Infinity)),
    maxStep: Float64Array.from(limits, (l, i) => {
      const fraction = i === gripper ? config.gripperMaxStepFraction : config.maxStepFraction;
      const travelStep = l.hasPositionLimits ? fraction * (l.upper - l.lower) : Infinity;
      return i === gripper ? travelStep : Math.min(travelStep, config.maxStepRad);
    }),
  };
}

/**
 * Limits joint i of `commanded` for one tick. Writes m.next[i] and m.nextVel[i] and returns the bit set of the
 * rules that changed the command (0: passed as is, bit-exact), or INFEASIBLE.
 */
export function limitJoint(t: JointLimitTable, m: JointMotion, i: number, commanded: Float64Array, measured: Float64Array): number {
  const dt = m.scalars[0];
  const lower = t.lower[i], upper = t.upper[i], vmax = t.vmax[i], a = t.amax[i];
  const p = m.prev[i], pv = m.prevVel[i];
  let fired = NONE;
  let q = commanded[i];
  if (q < lower || q > upper) {
    q = q < lower ? lower : upper;
    fired |= POSITION;
  }
  // Velocity window [lo, hi], remembering which rule set each edge. Infinite limits never bind.
  let lo = -vmax, hi = vmax, loRule = VELOCITY, hiRule = VELOCITY;
  if (a !== Infinity) {
    const adt = a * dt;
    if (pv - adt > lo) { lo = pv - adt; loRule = ACCELERATION; }
    if (pv + adt < hi) { hi = pv + adt; hiRule = ACCELERATION; }
    const up = -adt + Math.sqrt(adt * adt + 2 * a * Math.max(0, upper - p));
    const down = -adt + Math.sqrt(adt * adt + 2 * a * Math.max(0, p - lower));
    if (up < hi) { hi = up; hiRule = POSITION; }
    if (-down > lo) { lo = -down; loRule = POSITION; }
    // Only by rounding: braking by a·dt towards zero is in every window in exact arithmetic.
    if (lo > hi) lo = hi = pv > 0 ? Math.max(pv - adt, 0) : Math.min(pv + adt, 0);
  } else {
    const up = (upper - p) / dt, down = (lower - p) / dt;
    if (up < hi) { hi = up; hiRule = POSITION; }
    if (down > lo) { lo = down; loRule = POSITION; }
  }
  const step = t.maxStep[i];
  if (step !== Infinity) {
    const sLo = (measured[i] - step - p) / dt, sHi = (measured[i] + step - p) / dt;
    if (sLo > hi || sHi < lo) return INFEASIBLE;
    if (sLo > lo) { lo = sLo; loRule = STEP; }
    if (sHi < hi) { hi = sHi; hiRule = STEP; }
  }
  const vel = (q - p) / dt;
  // Recompute q only when clamped: p + ((q − p)/dt)·dt is not always q, and a pass must be bit-exact.
  if (vel > hi || vel < lo) {
    fired |= vel > hi ? hiRule : loRule;
    q = Math.min(Math.max(p + (vel > hi ? hi : lo) * dt, lower), upper);
  }
  m.next[i] = q;
  m.nextVel[i] = (q - p) / dt;
  return fired;
}
