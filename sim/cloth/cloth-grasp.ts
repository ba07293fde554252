// Grasping the cloth: a kinematic rule, like the box grasp. When the closing fingers pass the pinch opening with a
// particle within the capture radius of the tcp, every particle between the pads is pinned to the tcp with its
// offset in the tcp frame until the fingers open again. (Squeezing the pinned patch to the closed gap looked
// truer but tore the edges around it apart: the solver cannot crumple the cloth the way the fingers would.) While pinned,
// each free particle gets a long-range attachment (a tether no longer than its rest distance to the nearest
// pinned particle), which keeps a hanging towel from stretching however few solver iterations run.
import type { Pose } from '../../runtime/robot/arm-description.js';
import type { GripperGeometry } from '../grasp.js';
import type { ResolvedClothConfig } from './cloth-config.js';

/** The gripper as the cloth sees it, at the end of the step being taken. */
export interface ClothGripperInput {
  /** Tcp pose, base frame (tool z points out of the gripper, fingers close along tool y). */
  tcp: Pose;
  /** Pad-to-pad opening now, m. */
  gapM: number;
  geometry: Pick<GripperGeometry, 'fingertipBeyondTcpM' | 'padLengthM' | 'padWidthM'>;
}

/** Re-opening this far past the pinch opening lets go (hysteresis against chatter), m. */
const RELEASE_MARGIN_M = 0.002;

export class ClothGrip {
  /** Pinned particle indices, the first `count`. */
  readonly pinned: Int32Array;
  count = 0;
  /** Offsets of the pinned particles in the tcp frame, x y z each. */
  readonly #offset: Float64Array;
  /** Per particle: the pinned particle it is tethered to (-1 none) and the tether's length. */
  readonly tetherAnchor: Int32Array;
  readonly tetherLength: Float64Array;
  readonly #c: ResolvedClothConfig;
  // Tcp at the start and the end of the current step, for interpolating the pinned particles over the substeps.
  readonly #p0 = new Float64Array(3);
  readonly #q0 = new Float64Array(4);
  readonly #p1 = new Float64Array(3);
  readonly #q1 = new Float64Array(4);
  #hasTcp = false;
  #prevGapM = Number.NaN; // NaN: the first step never counts as closing
  #openGapM = 0;

  constructor(n: number, config: ResolvedClothConfig) {
    this.pinned = new Int32Array(n);
    this.#offset = new Float64Array(n * 3);
    this.tetherAnchor = new Int32Array(n).fill(-1);
    this.tetherLength = new Float64Array(n);
    this.#c = config;
  }

  get attached(): boolean {
    return this.count > 0;
  }

  /**
   * Called once per Cloth.step before the substeps: takes the new tcp pose, pins or lets go. Returns true when the
   * pinned set changed (the cloth then refreshes its inverse masses).
   */
  update(g: ClothGripperInput | undefined, pos: Float64Array, rest: Float64Array): boolean {
    if (!g) {
      this.#hasTcp = false;
      if (this.count === 0) return false;
      this.#release();
      return true;
    }
    const t = g.tcp;
    if (this.#hasTcp) { this.#p0.set(this.#p1); this.#q0.set(this.#q1); }
    this.#p1[0] = t.position.x; this.#p1[1] = t.position.y; this.#p1[2] = t.position.z;
    this.#q1[0] = t.orientation.x; this.#q1[1] = t.orientation.y; this.#q1[2] = t.orientation.z; this.#q1[3] = t.orientation.w;
    if (!this.#hasTcp) { this.#p0.set(this.#p1); this.#q0.set(this.#q1); this.#hasTcp = true; }
    // The same rotation either sign: interpolate along the short way.
    if (this.#q0[0] * this.#q1[0] + this.#q0[1] * this.#q1[1] + this.#q0[2] * this.#q1[2] + this.#q0[3] * this.#q1[3] < 0) {
      for (let k = 0; k < 4; k++) this.#q0[k] = -this.#q0[k];
    }
    const gap = g.gapM, prev = this.#prevGapM;
    this.#prevGapM = gap;
    if (this.count > 0) {
      if (gap > this.#c.pinchGapM + RELEASE_MARGIN_M) { this.#release(); return true; }
      return false;
    }
    if (!(gap < prev)) { this.#openGapM = gap; return false; }
    if (prev > this.#c.pinchGapM && gap <= this.#c.pinchGapM) return this.#pinch(g, pos, rest);
    return false;
  }

  /** Writes the pinned particles' positions at fraction s of the step (0 = its start, 1 = its end). */
  place(s: number, pos: Float64Array): void {
    if (this.count === 0) return;
    const p0 = this.#p0, p1 = this.#p1, q0 = this.#q0, q1 = this.#q1;
    let qx = q0[0] + (q1[0] - q0[0]) * s, qy = q0[1] + (q1[1] - q0[1]) * s;
    let qz = q0[2] + (q1[2] - q0[2]) * s, qw = q0[3] + (q1[3] - q0[3]) * s;
    const inv = 1 / Math.sqrt(qx * qx + qy * qy + qz * qz + qw * qw);
    qx *= inv; qy *= inv; qz *= inv; qw *= inv;
    const px = p0[0] + (p1[0] - p0[0]) * s, py = p0[1] + (p1[1] - p0[1]) * s, pz = p0[2] + (p1[2] - p0[2]) * s;
    const off = this.#offset;
    for (let k = 0; k < this.count; k++) {
      const i = this.pinned[k];
      const vx = off[3 * k], vy = off[3 * k + 1], vz = off[3 * k + 2];
      // v + 2w(q×v) + 2q×(q×v)
      const tx = 2 * (qy * vz - qz * vy), ty = 2 * (qz * vx - qx * vz), tz = 2 * (qx * vy - qy * vx);
      pos[3 * i] = px + vx + qw * tx + (qy * tz - qz * ty);
      pos[3 * i + 1] = py + vy + qw * ty + (qz * tx - qx * tz);
      pos[3 * i + 2] = pz + vz + qw * tz + (qx * ty - qy * tx);
    }
  }

  #pinch(g: ClothGripperInput, pos: Float64Array, rest: Float64Array): boolean {
    const geo = g.geometry, c = this.#c, n = pos.length / 3;
    const q = g.tcp.orientation, p = g.tcp.position;
    const halfGap = this.#openGapM / 2, halfWidth = geo.padWidthM / 2;
    const zTip = geo.fingertipBeyondTcpM, zBack = zTip - geo.padLengthM, zReach = zTip + c.beyondTipM;
    let near = false;
    this.count = 0;
    for (let i = 0; i < n; i++) {
      const dx = pos[3 * i] - p.x, dy = pos[3 * i + 1] - p.y, dz = pos[3 * i + 2] - p.z;
      // Into the tcp frame: rotate by the conjugate.
      const tx = 2 * (-q.y * dz + q.z * dy), ty = 2 * (-q.z * dx + q.x * dz), tz = 2 * (-q.x * dy + q.y * dx);
      const lx = dx + q.w * tx + (-q.y * tz + q.z * ty);
      const ly = dy + q.w * ty + (-q.z * tx + q.x * tz);
      const lz = dz + q.w * tz + (-q.x * ty + q.y * tx);
      if (Math.abs(lx) > halfWidth || Math.abs(ly) > halfGap || lz < zBack || lz > zReach) continue;
      if (dx * dx + dy * dy + dz * dz <= c.captureRadiusM * c.captureRadiusM) near = true;
      const k = this.count++;
      this.pinned[k] = i;
      this.#offset[3 * k] = lx;
      this.#offset[3 * k + 1] = ly;
      this.#offset[3 * k + 2] = lz;
    }
    if (!near) { this.count = 0; return false; }
    if (c.tethers) this.#tether(n, rest);
    // Pin from where the tcp is now: no jump between the step's start and end poses.
    this.#p0.set(this.#p1); this.#q0.set(this.#q1);
    return true;
  }

  #tether(n: number, rest: Float64Array): void {
    this.tetherAnchor.fill(-1);
    for (let k = 0; k < this.count; k++) this.tetherAnchor[this.pinned[k]] = -2; // pinned: no tether
    for (let i = 0; i < n; i++) {
      if (this.tetherAnchor[i] === -2) continue;
      let best = Infinity, anchor = -1;
      for (let k = 0; k < this.count; k++) {
        const j = this.pinned[k];
        const d = Math.hypot(rest[2 * i] - rest[2 * j], rest[2 * i + 1] - rest[2 * j + 1]);
        if (d < best) { best = d; anchor = j; }
      }
      this.tetherAnchor[i] = anchor;
      this.tetherLength[i] = best;
    }
    for (let k = 0; k < this.count; k++) this.tetherAnchor[this.pinned[k]] = -1;
  }

  #release(): void {
    this.count = 0;
    this.tetherAnchor.fill(-1);
  }
}
