// Inverse kinematics: Levenberg–Marquardt damped least squares with Sugihara's error-scaled damping
// (λ = μ·E + λmin: large far from the target for stability, vanishing near it for quadratic convergence),
// joints clamped into their limits every step and frozen while a step would push them further out,
// deterministic random restarts when a descent stalls. All scratch is preallocated per solver.
import type { Pose } from './arm-description.js';
import type { KinematicChain } from './kinematic-chain.js';
import { quatFromMat3 } from './transforms.js';
import { mulberry32 } from '../random.js';

export interface IkOptions {
  /** Iterations per attempt (the seed, then each restart). Default 100. */
  maxIterations?: number;
  /** Default 1e-4 m. */
  positionToleranceM?: number;
  /** Default 1e-3 rad. */
  orientationToleranceRad?: number;
  /** Extra attempts from deterministic random configurations within the limits when the seed stalls. Default 20. */
  restarts?: number;
  /** Ignore the target orientation. */
  positionOnly?: boolean;
}

export interface IkResult {
  ok: boolean;
  /** The solution, or the best configuration found when ok is false; always within the joint limits. */
  q: Float64Array;
  positionErrorM: number;
  orientationErrorRad: number;
  /** Iterations over all attempts. */
  iterations: number;
}

// Orientation error weight, in m²/rad²: 1 rad counts like 0.3 m, so neither part dominates the descent.
const ROT_WEIGHT = 0.09;
const LAMBDA_MIN = 1e-9;
const MU_MIN = 1e-3;
const MU_MAX = 1e8;
// A descent that lowers its error by less than this factor over STALL_WINDOW iterations is stuck.
const STALL_WINDOW = 12;
const STALL_FACTOR = 0.95;
const RESTART_PRNG_SEED = 0x2545f491;
const TWO_PI = 2 * Math.PI;

const prng = mulberry32;

export class IkSolver {
  readonly #c: KinematicChain;
  readonly #n: number;
  readonly #J: Float64Array;
  readonly #A: Float64Array;
  readonly #g: Float64Array;
  readonly #dq: Float64Array;
  readonly #q: Float64Array;
  readonly #qTrial: Float64Array;
  readonly #start: Float64Array;
  readonly #best: Float64Array;
  readonly #seed: Float64Array;
  readonly #locked: Uint8Array;
  #e = new Float64Array(6);
  #eTrial = new Float64Array(6);
  readonly #cur = { x: 0, y: 0, z: 0, w: 1 };
  readonly #qt = { x: 0, y: 0, z: 0, w: 1 };
  readonly #pt = new Float64Array(3);
  #wRot = ROT_WEIGHT;
  // Unweighted errors of the last evaluate().
  #posErr = 0;
  #rotErr = 0;

  constructor(chain: KinematicChain) {
    this.#c = chain;
    const n = (this.#n = chain.dof);
    this.#J = new Float64Array(6 * n);
    this.#A = new Float64Array(n * n);
    this.#g = new Float64Array(n);
    this.#dq = new Float64Array(n);
    this.#q = new Float64Array(n);
    this.#qTrial = new Float64Array(n);
    this.#start = new Float64Array(n);
    this.#best = new Float64Array(n);
    this.#seed = new Float64Array(n);
    this.#locked = new Uint8Array(n);
  }

  solve(target: Pose, seed: ArrayLike<number>, options: IkOptions = {}): IkResult {
    const c = this.#c, n = this.#n;
    const maxIter = options.maxIterations ?? 100;
    const tolP = options.positionToleranceM ?? 1e-4;
    const tolR = options.orientationToleranceRad ?? 1e-3;
    const restarts = options.restarts ?? 20;
    const positionOnly = options.positionOnly ?? false;
    this.#wRot = positionOnly ? 0 : ROT_WEIGHT;
    const o = target.orientation;
    const qn = Math.hypot(o.x, o.y, o.z, o.w) || 1;
    this.#qt.x = o.x / qn; this.#qt.y = o.y / qn; this.#qt.z = o.z / qn; this.#qt.w = o.w / qn;
    this.#pt[0] = target.position.x; this.#pt[1] = target.position.y; this.#pt[2] = target.position.z;
    for (let i = 0; i < n; i++) this.#seed[i] = Math.min(c.upper[i], Math.max(c.lower[i], seed[i]));
    this.#start.set(this.#seed);
    const converged = () => this.#posErr <= tolP && (positionOnly || this.#rotErr <= tolR);

    // Out of reach whatever the joints do: answer at once instead of running every restart.
    const f = c.firstJointPos;
    const dist = Math.hypot(this.#pt[0] - f[0], this.#pt[1] - f[1], this.#pt[2] - f[2]);
    if (dist > c.reachBoundM + tolP) {
      this.#evaluate(this.#start, this.#e);
      return this.#result(false, this.#seed, 0);
    }

    const rand = prng(RESTART_PRNG_SEED);
    let iterations = 0, bestE = Infinity, bestPos = 0, bestRot = 0;
    for (let attempt = 0; attempt <= restarts; attempt++) {
      if (attempt > 0) this.#randomStart(rand);
      iterations += this.#descend(maxIter, converged);
      if (converged()) return this.#result(true, this.#q, iterations);
      const E = this.#weighted(this.#e);
      if (E < bestE) {
        bestE = E; bestPos = this.#posErr; bestRot = this.#rotErr;
        this.#best.set(this.#q);
      }
      // Restarts are centred on the caller's seed, not on where the last attempt ended.
      this.#start.set(this.#seed);
    }
    this.#posErr = bestPos; this.#rotErr = bestRot;
    return this.#result(false, this.#best, iterations);
  }

  #result(ok: boolean, q: Float64Array, iterations: number): IkResult {
    const c = this.#c, out = Float64Array.from(q), seed = this.#seed;
    // Revolute joints with more than 2π of travel: of the equivalent angles, keep the one nearest the seed.
    for (let i = 0; i < this.#n; i++) {
      if (c.prismatic[i]) continue;
      while (out[i] - seed[i] > Math.PI && out[i] - TWO_PI >= c.lower[i]) out[i] -= TWO_PI;
      while (out[i] - seed[i] < -Math.PI && out[i] + TWO_PI <= c.upper[i]) out[i] += TWO_PI;
    }
    return { ok, q: out, positionErrorM: this.#posErr, orientationErrorRad: this.#rotErr, iterations };
  }

  /** Uniform within the limits and within ±π of the (clamped) seed, so restarts stay near the seed's branch. */
  #randomStart(rand: () => number): void {
    const c = this.#c, s = this.#start;
    for (let i = 0; i < this.#n; i++) {
      const lo = c.prismatic[i] ? c.lower[i] : Math.max(c.lower[i], s[i] - Math.PI);
      const hi = c.prismatic[i] ? c.upper[i] : Math.min(c.upper[i], s[i] + Math.PI);
      s[i] = lo + (hi - lo) * rand();
    }
  }

  /** LM from #start into #q; leaves #e/#posErr/#rotErr describing #q. Returns the iterations used. */
  #descend(maxIter: number, converged: () => boolean): number {
    const c = this.#c, n = this.#n, q = this.#q, qTrial = this.#qTrial, dq = this.#dq;
    q.set(this.#start);
    let E = this.#evaluate(q, this.#e);
    if (converged()) return 0;
    this.#jacobian();
    let mu = 1, posErr = this.#posErr, rotErr = this.#rotErr;
    let stallRef = E, stallIt = 0;
    for (let it = 1; it <= maxIter; it++) {
      this.#step(mu * E + LAMBDA_MIN);
      for (let i = 0; i < n; i++) {
        let v = q[i] + dq[i];
        // A revolute joint with a full turn of travel can go round instead of stopping at its limit.
        if (c.wraps[i]) {
          if (v > c.upper[i]) v -= TWO_PI;
          else if (v < c.lower[i]) v += TWO_PI;
        }
        qTrial[i] = Math.min(c.upper[i], Math.max(c.lower[i], v));
      }
      const Et = this.#evaluate(qTrial, this.#eTrial);
      if (Et < E) {
        const swap = this.#e;
        this.#e = this.#eTrial;
        this.#eTrial = swap;
        q.set(qTrial);
        E = Et; posErr = this.#posErr; rotErr = this.#rotErr;
        if (converged()) return it;
        this.#jacobian(); // the chain's scratch now describes q
        mu = Math.max(MU_MIN, mu * 0.3);
      } else {
        this.#posErr = posErr; this.#rotErr = rotErr;
        mu *= 10;
        if (mu > MU_MAX) return it;
      }
      if (it - stallIt >= STALL_WINDOW) {
        if (E > STALL_FACTOR * stallRef) return it;
        stallRef = E; stallIt = it;
      }
    }
    return maxIter;
  }

  /** Forward kinematics at q; writes the 6-vector error (target − current, base frame) into e. */
  #evaluate(q: Float64Array, e: Float64Array): number {
    const c = this.#c;
    c.forward(q);
    e[0] = this.#pt[0] - c.toolT[0];
    e[1] = this.#pt[1] - c.toolT[1];
    e[2] = this.#pt[2] - c.toolT[2];
    // Rotation error as a rotation vector: log(qt ⊗ conj(cur)), the shortest way round.
    const cur = quatFromMat3(c.toolR, 0, this.#cur), t = this.#qt;
    let x = -t.w * cur.x + t.x * cur.w - t.y * cur.z + t.z * cur.y;
    let y = -t.w * cur.y + t.x * cur.z + t.y * cur.w - t.z * cur.x;
    let z = -t.w * cur.z - t.x * cur.y + t.y * cur.x + t.z * cur.w;
    let w = t.w * cur.w + t.x * cur.x + t.y * cur.y + t.z * cur.z;
    if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
    const s = Math.hypot(x, y, z);
    const angle = 2 * Math.atan2(s, w);
    const k = s > 1e-12 ? angle / s : 2;
    e[3] = x * k; e[4] = y * k; e[5] = z * k;
    this.#posErr = Math.hypot(e[0], e[1], e[2]);
    this.#rotErr = angle;
    return this.#weighted(e);
  }

  #weighted(e: Float64Array): number {
    return 0.5 * (e[0] * e[0] + e[1] * e[1] + e[2] * e[2] + this.#wRot * (e[3] * e[3] + e[4] * e[4] + e[5] * e[5]));
  }

  /** Geometric Jacobian at the chain's last forward() (6×n, row-major). */
  #jacobian(): void {
    fillJacobian(this.#c, this.#J);
  }

  /** Solves (JᵀWJ + λI)·dq = JᵀW·e, freezing joints at a limit that the step would push further out. */
  #step(lambda: number): void {
    const n = this.#n, J = this.#J, A = this.#A, g = this.#g, dq = this.#dq, e = this.#e, locked = this.#locked;
    const c = this.#c, q = this.#q, w = this.#wRot;
    locked.fill(0);
    for (let pass = 0; pass <= n; pass++) {
      for (let i = 0; i < n; i++) {
        for (let k = i; k < n; k++) {
          let s = 0;
          if (!locked[i] && !locked[k]) {
            s = J[i] * J[k] + J[n + i] * J[n + k] + J[2 * n + i] * J[2 * n + k]
              + w * (J[3 * n + i] * J[3 * n + k] + J[4 * n + i] * J[4 * n + k] + J[5 * n + i] * J[5 * n + k]);
          }
          A[i * n + k] = s;
          A[k * n + i] = s;
        }
        A[i * n + i] += locked[i] ? 1 : lambda;
        g[i] = locked[i] ? 0 : J[i] * e[0] + J[n + i] * e[1] + J[2 * n + i] * e[2]
          + w * (J[3 * n + i] * e[3] + J[4 * n + i] * e[4] + J[5 * n + i] * e[5]);
      }
      choleskySolve(A, g, dq, n);
      let more = false;
      for (let i = 0; i < n; i++) {
        if (locked[i]) continue;
        if (c.wraps[i]) continue;
        if ((q[i] <= c.lower[i] && dq[i] < 0) || (q[i] >= c.upper[i] && dq[i] > 0)) { locked[i] = 1; more = true; }
      }
      if (!more) return;
    }
  }
}

/** Geometric Jacobian (6×n row-major: linear rows, then angular) from the chain's last forward(). */
export function fillJacobian(c: KinematicChain, J: Float64Array): Float64Array {
  const n = c.dof, jp = c.jointPos, ja = c.jointAxis, t = c.toolT;
  for (let i = 0; i < n; i++) {
    const ax = ja[3 * i], ay = ja[3 * i + 1], az = ja[3 * i + 2];
    if (c.prismatic[i]) {
      J[i] = ax; J[n + i] = ay; J[2 * n + i] = az;
      J[3 * n + i] = 0; J[4 * n + i] = 0; J[5 * n + i] = 0;
    } else {
      const rx = t[0] - jp[3 * i], ry = t[1] - jp[3 * i + 1], rz = t[2] - jp[3 * i + 2];
      J[i] = ay * rz - az * ry; J[n + i] = az * rx - ax * rz; J[2 * n + i] = ax * ry - ay * rx;
      J[3 * n + i] = ax; J[4 * n + i] = ay; J[5 * n + i] = az;
    }
  }
  return J;
}

/** In-place Cholesky of the SPD n×n matrix A, then forward/back substitution into x. */
function choleskySolve(A: Float64Array, b: Float64Array, x: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * n + k] * x[k];
    x[i] = s / A[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= A[k * n + i] * x[k];
    x[i] = s / A[i * n + i];
  }
}
