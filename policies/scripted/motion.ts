// Smooth motions for the scripted experts: joint-space moves and straight tcp lines, both timed with a
// minimum-jerk profile so every joint starts and ends at rest, sized so the peak joint speed and acceleration
// stay within a fraction of the limits. A per-tick step limiter is the last guard: the safety filter behind the
// policy clamps steps at the velocity limit, and the plan keeps well below that so it never has to.
import type { Kinematics, Pose, Quat, Vec3 } from '../../runtime/robot/index.js';

/** Peak of ds/dτ and |d²s/dτ²| for s(τ) = 10τ³ − 15τ⁴ + 6τ⁵. */
const MIN_JERK_PEAK_VEL = 1.875;
const MIN_JERK_PEAK_ACC = 5.7735;

export function minJerk(tau: number): number {
  if (tau <= 0) return 0;
  if (tau >= 1) return 1;
  const t3 = tau * tau * tau;
  return t3 * (10 - 15 * tau + 6 * tau * tau);
}

export interface MotionLimits {
  /** Per command joint (arm then gripper), units/s and units/s². */
  maxVelocity: Float64Array;
  maxAcceleration: Float64Array;
  /** Fractions of the limits the plan may use. */
  speedFraction: number;
  accelFraction: number;
}

/** Shortest minimum-jerk duration moving every joint from a to b within the scaled limits. */
export function moveDurationS(a: ArrayLike<number>, b: ArrayLike<number>, lim: MotionLimits, minS = 0.1): number {
  let t = minS;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(b[i] - a[i]);
    if (d === 0) continue;
    const tv = (MIN_JERK_PEAK_VEL * d) / (lim.speedFraction * lim.maxVelocity[i]);
    const ta = Math.sqrt((MIN_JERK_PEAK_ACC * d) / (lim.accelFraction * lim.maxAcceleration[i]));
    t = Math.max(t, tv, ta);
  }
  return t;
}

/**
 * One motion at a time: sample() advances it by one tick and writes the wanted command (arm joints then the
 * gripper) into out. Linear moves solve IK each tick seeded with the last command; if a tick's IK fails they
 * fall back to the joint-space path toward the end configuration solved when the move was planned.
 */
export class Motion {
  readonly #from: Float64Array;
  readonly #to: Float64Array;
  readonly #p0: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #p1: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #pose: Pose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
  #linear = false;
  #elapsedS = 0;
  #durationS = 0;
  ikFailures = 0;

  constructor(readonly kinematics: Kinematics, dof: number) {
    this.#from = new Float64Array(dof);
    this.#to = new Float64Array(dof);
  }

  get done(): boolean {
    return this.#elapsedS >= this.#durationS;
  }

  /** Joint-space move from `from` to `to` (command vectors). */
  joint(from: ArrayLike<number>, to: ArrayLike<number>, lim: MotionLimits): void {
    this.#from.set(from);
    this.#to.set(to);
    this.#linear = false;
    this.#elapsedS = 0;
    this.#durationS = moveDurationS(from, to, lim);
  }

  /**
   * Straight tcp line from p0 to p1 at a fixed orientation; `to` is the command at p1 (IK solved by the caller),
   * used for timing and as the fallback. The gripper interpolates from from[last] to to[last].
   */
  linear(from: ArrayLike<number>, to: ArrayLike<number>, p0: Vec3, p1: Vec3, orientation: Quat, lim: MotionLimits): void {
    this.joint(from, to, lim);
    copyVec(p0, this.#p0);
    copyVec(p1, this.#p1);
    const o = this.#pose.orientation;
    o.x = orientation.x; o.y = orientation.y; o.z = orientation.z; o.w = orientation.w;
    this.#linear = true;
    // A line is not a straight joint path: leave room for the joints' curvature.
    this.#durationS *= 1.3;
  }

  /** Advances one tick of dtS; out holds the previous command on entry (the IK seed) and the new one on exit. */
  sample(dtS: number, out: Float64Array): void {
    this.#elapsedS = Math.min(this.#durationS, this.#elapsedS + dtS);
    const s = minJerk(this.#elapsedS / this.#durationS);
    const n = this.#from.length;
    if (this.#linear && s < 1) {
      const p = this.#pose.position;
      p.x = this.#p0.x + (this.#p1.x - this.#p0.x) * s;
      p.y = this.#p0.y + (this.#p1.y - this.#p0.y) * s;
      p.z = this.#p0.z + (this.#p1.z - this.#p0.z) * s;
      const ik = this.kinematics.ik(this.#pose, out, { restarts: 0, maxIterations: 30 });
      if (ik.ok) {
        out.set(ik.q);
        out[n - 1] = this.#from[n - 1] + (this.#to[n - 1] - this.#from[n - 1]) * s;
        return;
      }
      this.ikFailures++;
    }
    for (let i = 0; i < n; i++) out[i] = this.#from[i] + (this.#to[i] - this.#from[i]) * s;
  }
}

/** Moves cmd toward want by at most maxStep[i] per joint. Returns true when it had to clamp. */
export function limitStep(cmd: Float64Array, want: Float64Array, maxStep: Float64Array): boolean {
  let clamped = false;
  for (let i = 0; i < cmd.length; i++) {
    const d = want[i] - cmd[i], m = maxStep[i];
    if (d > m) { cmd[i] += m; clamped = true; } else if (d < -m) { cmd[i] -= m; clamped = true; } else cmd[i] = want[i];
  }
  return clamped;
}

function copyVec(a: Vec3, out: Vec3): void {
  out.x = a.x; out.y = a.y; out.z = a.z;
}
