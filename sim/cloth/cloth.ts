// A towel as extended position-based dynamics (XPBD; Müller et al. 2007, Macklin et al. 2016 and 2019's "small
// steps": many substeps with one constraint iteration each converge better than few substeps with many).
// Per substep: integrate gravity and damping, place the pinned particles, project the stretch (structural +
// shear), bend (skip-one distance) and tether constraints by Gauss-Seidel in a fixed order, push particles out of
// the colliders with Coulomb friction, and take the velocity from the displacement.
// Deterministic: a fixed order of floating-point operations and no randomness, so the same inputs give
// bit-identical positions. No allocation per step: every buffer is sized in the constructor.
// Simplifications (deliberate): no self-collision (a piled towel may pass through itself), and particles are
// spheres of half the thickness, so the cloth collides at its vertices, not along its triangles.
import type { Vec3 } from '../../runtime/robot/arm-description.js';
import type { BinSpec } from '../scene-layout.js';
import { resolveClothConfig } from './cloth-config.js';
import type { ClothConfig, ResolvedClothConfig } from './cloth-config.js';
import { BOX_STRIDE } from './cloth-colliders.js';
import type { ClothColliders } from './cloth-colliders.js';
import { ClothGrip } from './cloth-grasp.js';
import type { ClothGripperInput } from './cloth-grasp.js';
import { buildTopology, buildTriangles } from './cloth-topology.js';
import type { ClothTopology } from './cloth-topology.js';

export type ClothCorner = 'near_left' | 'near_right' | 'far_left' | 'far_right';

/** Where the towel lies flat: centre and yaw of its local frame in the base frame; z of the particle centres. */
export interface ClothPlacement {
  xM: number;
  yM: number;
  zM: number;
  yawRad: number;
}

/** The part of a bin that isInBin reads (a BinSpec fits). */
export type ClothBin = Pick<BinSpec, 'centerXM' | 'centerYM' | 'sizeXM' | 'sizeYM' | 'baseZM' | 'heightM'>;

export class Cloth {
  readonly config: ResolvedClothConfig;
  readonly rows: number;
  readonly cols: number;
  readonly count: number;
  /** x y z per particle, base frame, m. Mutated in place. */
  readonly positions: Float64Array;
  readonly velocities: Float64Array;
  readonly topology: ClothTopology;
  readonly particleMassKg: number;
  readonly radiusM: number;
  /** Substeps taken so far. */
  substeps = 0;
  /** Where the towel was last laid out (reset). */
  placement: ClothPlacement = { xM: 0, yM: 0, zM: 0, yawRad: 0 };

  readonly #prev: Float64Array;
  readonly #invMass: Float64Array;
  readonly #lambda: Float64Array;
  readonly #grip: ClothGrip;
  #active: Int32Array; // colliders near the cloth this step
  #activeCount = 0;
  #floorActive = false;
  #triangles: Uint32Array | undefined;

  constructor(config: ClothConfig = {}, placement: ClothPlacement = { xM: 0, yM: 0, zM: 0, yawRad: 0 }) {
    const c = (this.config = resolveClothConfig(config));
    this.rows = c.rows;
    this.cols = c.cols;
    const n = (this.count = c.rows * c.cols);
    this.topology = buildTopology(c.rows, c.cols, c.sizeM[0], c.sizeM[1]);
    this.positions = new Float64Array(3 * n);
    this.velocities = new Float64Array(3 * n);
    this.#prev = new Float64Array(3 * n);
    this.particleMassKg = c.massKg / n;
    this.#invMass = new Float64Array(n).fill(1 / this.particleMassKg);
    this.#lambda = new Float64Array(this.topology.restLength.length);
    this.radiusM = c.thicknessM / 2;
    this.#grip = new ClothGrip(n, c);
    this.#active = new Int32Array(64);
    this.reset(placement);
  }

  /** Lays the towel flat and still at the placement; lets go of any grasp. */
  reset(p: ClothPlacement): void {
    this.placement = { ...p };
    const cos = Math.cos(p.yawRad), sin = Math.sin(p.yawRad), rest = this.topology.rest, x = this.positions;
    for (let i = 0; i < this.count; i++) {
      const u = rest[2 * i], v = rest[2 * i + 1];
      x[3 * i] = p.xM + cos * u - sin * v;
      x[3 * i + 1] = p.yM + sin * u + cos * v;
      x[3 * i + 2] = p.zM;
    }
    this.velocities.fill(0);
    this.#grip.update(undefined, x, rest);
    this.#invMass.fill(1 / this.particleMassKg);
  }

  /** True while the fingers pinch part of the towel. */
  get held(): boolean {
    return this.#grip.attached;
  }

  /** Indices of the pinned particles (a view, valid until the next step). */
  pinnedIndices(): Int32Array {
    return this.#grip.pinned.subarray(0, this.#grip.count);
  }

  /**
   * Advances by dtS in equal substeps no longer than 1/substepRateHz, against the colliders, with the gripper at
   * the end of the interval (undefined: no gripper). The pinned particles move from the tcp pose of the previous
   * call to this one across the substeps.
   */
  step(dtS: number, colliders: ClothColliders, gripper?: ClothGripperInput): void {
    if (!(dtS > 0)) return;
    if (this.#grip.update(gripper, this.positions, this.topology.rest)) this.#refreshMasses();
    const n = Math.max(1, Math.ceil(dtS * this.config.substepRateHz - 1e-9));
    const h = dtS / n;
    this.#selectColliders(dtS, colliders);
    for (let s = 1; s <= n; s++) this.#substep(h, s / n, colliders);
  }

  #refreshMasses(): void {
    this.#invMass.fill(1 / this.particleMassKg);
    const g = this.#grip;
    for (let k = 0; k < g.count; k++) this.#invMass[g.pinned[k]] = 0;
  }

  #substep(h: number, s: number, colliders: ClothColliders): void {
    const c = this.config, x = this.positions, v = this.velocities, prev = this.#prev, w = this.#invMass;
    const n = this.count;
    const damp = Math.max(0, 1 - c.dampingPerS * h), dvz = -c.gravityMS2 * h;
    prev.set(x);
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) continue;
      const o = 3 * i;
      v[o] *= damp; v[o + 1] *= damp; v[o + 2] = (v[o + 2] + dvz) * damp;
      x[o] += v[o] * h; x[o + 1] += v[o + 1] * h; x[o + 2] += v[o + 2] * h;
    }
    this.#grip.place(s, x);
    const topo = this.topology, ih2 = 1 / (h * h);
    this.#lambda.fill(0);
    for (let it = 0; it < c.iterations; it++) {
      this.#solveEdges(0, topo.stretchCount, c.stretchCompliance * ih2, false);
      this.#solveEdges(topo.stretchCount, topo.restLength.length, c.bendCompliance * ih2, true);
      if (this.#grip.attached && c.tethers) this.#solveTethers();
    }
    this.#collide(colliders);
    const ih = 1 / h;
    for (let k = 0; k < 3 * n; k++) v[k] = (x[k] - prev[k]) * ih;
    this.substeps++;
  }

  /**
   * The fingers crumple the cloth they pinch: an edge ending on a pinned particle only resists stretching, and a
   * bending edge there (bend = true) not at all. Otherwise the pinned patch, held flat, would hold its
   * neighbours flat against gravity and the hanging towel would tear the first edges apart.
   */
  #solveEdges(from: number, to: number, alpha: number, bend: boolean): void {
    const x = this.positions, w = this.#invMass, e = this.topology.edges, rest = this.topology.restLength, lam = this.#lambda;
    for (let k = from; k < to; k++) {
      const a = e[2 * k], b = e[2 * k + 1];
      const wa = w[a], wb = w[b], ws = wa + wb;
      const atPin = wa === 0 || wb === 0;
      if (ws === 0 || (bend && atPin)) continue;
      const ia = 3 * a, ib = 3 * b;
      const dx = x[ib] - x[ia], dy = x[ib + 1] - x[ia + 1], dz = x[ib + 2] - x[ia + 2];
      const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (len < 1e-12 || (atPin && len < rest[k])) continue;
      const dl = (rest[k] - len - alpha * lam[k]) / (ws + alpha);
      lam[k] += dl;
      const f = dl / len;
      x[ia] -= wa * f * dx; x[ia + 1] -= wa * f * dy; x[ia + 2] -= wa * f * dz;
      x[ib] += wb * f * dx; x[ib + 1] += wb * f * dy; x[ib + 2] += wb * f * dz;
    }
  }

  #solveTethers(): void {
    const x = this.positions, anchor = this.#grip.tetherAnchor, length = this.#grip.tetherLength;
    for (let i = 0; i < this.count; i++) {
      const j = anchor[i];
      if (j < 0) continue;
      const o = 3 * i, p = 3 * j;
      const dx = x[o] - x[p], dy = x[o + 1] - x[p + 1], dz = x[o + 2] - x[p + 2];
      const d2 = dx * dx + dy * dy + dz * dz, l = length[i];
      if (d2 <= l * l) continue;
      const f = l / Math.sqrt(d2);
      x[o] = x[p] + dx * f; x[o + 1] = x[p + 1] + dy * f; x[o + 2] = x[p + 2] + dz * f;
    }
  }

  /**
   * Broad phase, once per step: the colliders whose boxes come within reach of the cloth's bounding box grown by
   * how far any particle can travel in dtS (its speed, gravity, the tcp's own motion) plus a margin.
   */
  #selectColliders(dtS: number, colliders: ClothColliders): void {
    const x = this.positions, v = this.velocities;
    let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity, v2 = 0;
    for (let o = 0; o < x.length; o += 3) {
      const px = x[o], py = x[o + 1], pz = x[o + 2];
      if (px < x0) x0 = px; if (px > x1) x1 = px;
      if (py < y0) y0 = py; if (py > y1) y1 = py;
      if (pz < z0) z0 = pz; if (pz > z1) z1 = pz;
      const s2 = v[o] * v[o] + v[o + 1] * v[o + 1] + v[o + 2] * v[o + 2];
      if (s2 > v2) v2 = s2;
    }
    const m = (Math.sqrt(v2) + 2) * dtS + Math.abs(this.config.gravityMS2) * dtS * dtS + this.radiusM + 0.02;
    x0 -= m; y0 -= m; z0 -= m; x1 += m; y1 += m; z1 += m;
    this.#floorActive = z0 <= colliders.floorZM + this.radiusM;
    this.#activeCount = 0;
    // Grows once if a scene has more colliders than expected; never per step after that.
    if (this.#active.length < colliders.count) this.#active = new Int32Array(colliders.capacity);
    const b = colliders.boxes;
    for (let k = 0; k < colliders.count; k++) {
      const o = k * BOX_STRIDE;
      // The box's footprint bound, whatever its yaw.
      const ex = Math.abs(b[o + 6]) * b[o + 3] + Math.abs(b[o + 7]) * b[o + 4];
      const ey = Math.abs(b[o + 7]) * b[o + 3] + Math.abs(b[o + 6]) * b[o + 4];
      if (b[o] + ex < x0 || b[o] - ex > x1 || b[o + 1] + ey < y0 || b[o + 1] - ey > y1) continue;
      if (b[o + 2] + b[o + 5] < z0 || b[o + 2] - b[o + 5] > z1) continue;
      this.#active[this.#activeCount++] = k;
    }
  }

  /** Pushes free particles out of the floor and the active boxes along the shallowest way out, with friction. */
  #collide(colliders: ClothColliders): void {
    const x = this.positions, prev = this.#prev, w = this.#invMass, r = this.radiusM, mu = this.config.friction;
    const b = colliders.boxes, floor = colliders.floorZM + r;
    for (let i = 0; i < this.count; i++) {
      if (w[i] === 0) continue;
      const o = 3 * i;
      if (this.#floorActive && x[o + 2] < floor) {
        const depth = floor - x[o + 2];
        x[o + 2] = floor;
        friction(x, prev, o, 0, 0, 1, depth, mu);
      }
      for (let a = 0; a < this.#activeCount; a++) {
        const q = this.#active[a] * BOX_STRIDE;
        const cos = b[q + 6], sin = b[q + 7];
        const dx = x[o] - b[q], dy = x[o + 1] - b[q + 1], lz = x[o + 2] - b[q + 2];
        const lx = cos * dx + sin * dy, ly = -sin * dx + cos * dy;
        const ex = b[q + 3] + r - Math.abs(lx);
        if (ex <= 0) continue;
        const ey = b[q + 4] + r - Math.abs(ly);
        if (ey <= 0) continue;
        const ez = b[q + 5] + r - Math.abs(lz);
        if (ez <= 0) continue;
        let nx: number, ny: number, nz: number, depth: number;
        if (ez <= ex && ez <= ey) {
          nx = 0; ny = 0; nz = lz >= 0 ? 1 : -1; depth = ez;
        } else if (ex <= ey) {
          const sg = lx >= 0 ? 1 : -1;
          nx = sg * cos; ny = sg * sin; nz = 0; depth = ex;
        } else {
          const sg = ly >= 0 ? 1 : -1;
          nx = -sg * sin; ny = sg * cos; nz = 0; depth = ey;
        }
        x[o] += nx * depth; x[o + 1] += ny * depth; x[o + 2] += nz * depth;
        friction(x, prev, o, nx, ny, nz, depth, mu);
      }
    }
  }

  /** Mean particle position, m (into out, which is returned). */
  centroid(out: Vec3 = { x: 0, y: 0, z: 0 }): Vec3 {
    const x = this.positions;
    let sx = 0, sy = 0, sz = 0;
    for (let o = 0; o < x.length; o += 3) { sx += x[o]; sy += x[o + 1]; sz += x[o + 2]; }
    out.x = sx / this.count; out.y = sy / this.count; out.z = sz / this.count;
    return out;
  }

  /** Index of a corner particle: near = row 0 (local -x), left = column 0 (local +y). */
  cornerIndex(corner: ClothCorner): number {
    const last = this.cols - 1, lastRow = (this.rows - 1) * this.cols;
    switch (corner) {
      case 'near_left': return 0;
      case 'near_right': return last;
      case 'far_left': return lastRow;
      case 'far_right': return lastRow + last;
    }
  }

  /** Share of the particles inside the bin's outer footprint and below its rim. */
  fractionInBin(bin: ClothBin): number {
    const x = this.positions, hx = bin.sizeXM / 2, hy = bin.sizeYM / 2, rim = bin.baseZM + bin.heightM;
    let inside = 0;
    for (let o = 0; o < x.length; o += 3) {
      if (Math.abs(x[o] - bin.centerXM) <= hx && Math.abs(x[o + 1] - bin.centerYM) <= hy && x[o + 2] <= rim) inside++;
    }
    return inside / this.count;
  }

  /** At least `share` (default 80%) of the particles inside the bin's footprint and below its rim. */
  isInBin(bin: ClothBin, share = 0.8): boolean {
    return this.fractionInBin(bin) >= share;
  }

  /** Triangle list for drawing (two per grid quad, counter-clockwise from local +z); built once and shared. */
  triangleIndices(): Uint32Array {
    return (this.#triangles ??= buildTriangles(this.rows, this.cols));
  }
}

/**
 * Position-based Coulomb friction (Macklin et al. 2014): the tangential part of this substep's displacement is
 * cancelled while it is within μ·depth (static), else shortened by μ·depth (kinetic).
 */
function friction(x: Float64Array, prev: Float64Array, o: number, nx: number, ny: number, nz: number, depth: number, mu: number): void {
  const dx = x[o] - prev[o], dy = x[o + 1] - prev[o + 1], dz = x[o + 2] - prev[o + 2];
  const dn = dx * nx + dy * ny + dz * nz;
  const tx = dx - dn * nx, ty = dy - dn * ny, tz = dz - dn * nz;
  const t = Math.sqrt(tx * tx + ty * ty + tz * tz);
  if (t === 0) return;
  const lim = mu * depth;
  const f = t <= lim ? 1 : lim / t;
  x[o] -= tx * f; x[o + 1] -= ty * f; x[o + 2] -= tz * f;
}
