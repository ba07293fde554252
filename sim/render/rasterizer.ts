// A small deterministic triangle rasterizer: camera-space near-plane clipping, back-face culling, flat Lambert
// shading per triangle, a 1/z depth buffer, RGB8 out. Pure arithmetic in a fixed order, so the same scene gives
// the same bytes on every run. Rows are filled as spans between the triangle's edges (no per-pixel edge
// tests), which is what keeps a 640×480 frame within a few milliseconds in plain JS.
//
// Nothing is allocated per frame: scratch arrays are sized at construction (meshes up to maxVertices).
import type { PinholeCamera } from '../../perception/models/camera-model.js';
import type { Mesh } from './meshes.js';
import type { Rgb } from './palette.js';

export interface ShadingConfig {
  /** Unit vector toward the light, base frame. */
  lightDir: Rgb;
  ambient: number;
  diffuse: number;
}

export class Rasterizer {
  readonly width: number;
  readonly height: number;
  readonly nearM: number;
  /** 1/depth per pixel; 0 = nothing drawn yet. */
  readonly depth: Float32Array;
  readonly #cam = new Float64Array(12); // camera-from-local for the mesh being drawn
  readonly #verts: Float64Array;
  readonly #clip = new Float64Array(4 * 3); // clipped polygon, camera space
  readonly #light = new Float64Array(3); // light direction in camera space
  readonly #shading: ShadingConfig;
  #camera: PinholeCamera | undefined;
  #out: Uint8Array | undefined;
  #ids: Uint8Array | undefined;
  #background: Uint8Array;

  constructor(width: number, height: number, shading: ShadingConfig, background: Rgb, maxVertices = 1024, nearM = 0.01) {
    this.width = width;
    this.height = height;
    this.nearM = nearM;
    this.depth = new Float32Array(width * height);
    this.#verts = new Float64Array(3 * maxVertices);
    this.#shading = shading;
    this.#background = new Uint8Array(3 * width * height);
    const [r, g, b] = background.map(toByte);
    for (let i = 0; i < this.#background.length; i += 3) {
      this.#background[i] = r; this.#background[i + 1] = g; this.#background[i + 2] = b;
    }
  }

  /** Starts a frame: clears out (to the background), ids (to 0) and the depth buffer. */
  begin(camera: PinholeCamera, out: Uint8Array, ids?: Uint8Array): void {
    const k = camera.intrinsics;
    if (k.width !== this.width || k.height !== this.height) {
      throw new Error(`Rasterizer#begin: camera "${camera.name}" is ${k.width}x${k.height}, the rasterizer ${this.width}x${this.height}`);
    }
    if (out.length < 3 * this.width * this.height) {
      throw new Error(`Rasterizer#begin: output buffer holds ${out.length} bytes, a ${this.width}x${this.height} RGB8 frame needs ${3 * this.width * this.height}`);
    }
    if (ids && ids.length < this.width * this.height) {
      throw new Error(`Rasterizer#begin: id buffer holds ${ids.length} bytes, needs ${this.width * this.height}`);
    }
    this.#camera = camera;
    this.#out = out;
    this.#ids = ids;
    out.set(this.#background);
    ids?.fill(0);
    this.depth.fill(0);
    const R = camera.rotation, l = this.#shading.lightDir;
    // camera-space vector = Rᵀ · base-frame vector
    this.#light[0] = R[0] * l[0] + R[3] * l[1] + R[6] * l[2];
    this.#light[1] = R[1] * l[0] + R[4] * l[1] + R[7] * l[2];
    this.#light[2] = R[2] * l[0] + R[5] * l[1] + R[8] * l[2];
  }

  /**
   * Draws a mesh placed by model (base-from-local: rotation row-major at [0..8], translation at [9..11]),
   * scaled per local axis first. id marks its pixels in the id buffer, topId those of the mesh's +z face.
   */
  drawMesh(mesh: Mesh, model: ArrayLike<number>, sx: number, sy: number, sz: number, rgb: Rgb, id = 0, topId = id): void {
    const camera = this.#camera;
    if (!camera) throw new Error('Rasterizer#drawMesh: call begin() first');
    if (mesh.vertexCount * 3 > this.#verts.length) {
      throw new Error(`Rasterizer#drawMesh: mesh has ${mesh.vertexCount} vertices, the rasterizer was sized for ${this.#verts.length / 3}`);
    }
    const C = this.#cam, R = camera.rotation, P = camera.position;
    // camera-from-local = Rᵀ·[M_R·S | M_t − P]
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        const s = c === 0 ? sx : c === 1 ? sy : sz;
        C[3 * r + c] = (R[r] * model[c] + R[3 + r] * model[3 + c] + R[6 + r] * model[6 + c]) * s;
      }
      C[9 + r] = R[r] * (model[9] - P[0]) + R[3 + r] * (model[10] - P[1]) + R[6 + r] * (model[11] - P[2]);
    }
    const pos = mesh.positions, V = this.#verts;
    for (let i = 0, n = mesh.vertexCount * 3; i < n; i += 3) {
      const x = pos[i], y = pos[i + 1], z = pos[i + 2];
      V[i] = C[0] * x + C[1] * y + C[2] * z + C[9];
      V[i + 1] = C[3] * x + C[4] * y + C[5] * z + C[10];
      V[i + 2] = C[6] * x + C[7] * y + C[8] * z + C[11];
    }
    const idx = mesh.indices, sh = this.#shading, L = this.#light;
    for (let t = 0; t < mesh.triangleCount; t++) {
      const a = 3 * idx[3 * t], b = 3 * idx[3 * t + 1], c = 3 * idx[3 * t + 2];
      const ax = V[a], ay = V[a + 1], az = V[a + 2];
      const e1x = V[b] - ax, e1y = V[b + 1] - ay, e1z = V[b + 2] - az;
      const e2x = V[c] - ax, e2y = V[c + 1] - ay, e2z = V[c + 2] - az;
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      // Back face: the outward normal points away from the eye (at the camera-space origin).
      if (nx * ax + ny * ay + nz * az >= 0) continue;
      const nn = Math.hypot(nx, ny, nz);
      if (nn === 0) continue;
      const lambert = Math.max(0, (nx * L[0] + ny * L[1] + nz * L[2]) / nn);
      const shade = sh.ambient + sh.diffuse * lambert;
      const r8 = toByte(rgb[0] * shade), g8 = toByte(rgb[1] * shade), b8 = toByte(rgb[2] * shade);
      const tid = mesh.topFace[t] ? topId : id;
      this.#clipAndFill(a, b, c, r8, g8, b8, tid);
    }
  }

  #clipAndFill(a: number, b: number, c: number, r8: number, g8: number, b8: number, id: number): void {
    const V = this.#verts, near = this.nearM;
    const inA = V[a + 2] >= near, inB = V[b + 2] >= near, inC = V[c + 2] >= near;
    if (inA && inB && inC) {
      this.#fill(V, a, V, b, V, c, r8, g8, b8, id);
      return;
    }
    if (!inA && !inB && !inC) return;
    // Sutherland–Hodgman against z = near: a triangle becomes a triangle or a quad.
    const out = this.#clip;
    let n = 0;
    for (let k = 0; k < 3; k++) {
      const p = k === 0 ? a : k === 1 ? b : c, q = k === 0 ? b : k === 1 ? c : a;
      const pz = V[p + 2], qz = V[q + 2], pin = pz >= near, qin = qz >= near;
      if (pin) { out[3 * n] = V[p]; out[3 * n + 1] = V[p + 1]; out[3 * n + 2] = pz; n++; }
      if (pin !== qin) {
        const t = (near - pz) / (qz - pz);
        out[3 * n] = V[p] + t * (V[q] - V[p]);
        out[3 * n + 1] = V[p + 1] + t * (V[q + 1] - V[p + 1]);
        out[3 * n + 2] = near;
        n++;
      }
    }
    for (let k = 1; k + 1 < n; k++) this.#fill(out, 0, out, 3 * k, out, 3 * (k + 1), r8, g8, b8, id);
  }

  /** Projects a camera-space triangle and fills it row by row with a depth test. */
  #fill(A: Float64Array, a: number, B: Float64Array, b: number, Cv: Float64Array, c: number, r8: number, g8: number, b8: number, id: number): void {
    const k = this.#camera!.intrinsics;
    const w0 = 1 / A[a + 2], w1 = 1 / B[b + 2], w2 = 1 / Cv[c + 2];
    const u0 = k.fx * A[a] * w0 + k.cx, v0 = k.fy * A[a + 1] * w0 + k.cy;
    const u1 = k.fx * B[b] * w1 + k.cx, v1 = k.fy * B[b + 1] * w1 + k.cy;
    const u2 = k.fx * Cv[c] * w2 + k.cx, v2 = k.fy * Cv[c + 1] * w2 + k.cy;
    const det = (u1 - u0) * (v2 - v0) - (u2 - u0) * (v1 - v0);
    if (Math.abs(det) < 1e-12) return;
    // 1/z is affine in screen space: w = wu·u + wv·v + wc.
    const wu = ((w1 - w0) * (v2 - v0) - (w2 - w0) * (v1 - v0)) / det;
    const wv = ((u1 - u0) * (w2 - w0) - (u2 - u0) * (w1 - w0)) / det;
    const wc = w0 - wu * u0 - wv * v0;
    // Sort by v: (ua, va) top, (ub, vb) middle, (uc, vc) bottom.
    let ua = u0, va = v0, ub = u1, vb = v1, uc = u2, vc = v2, s: number;
    if (va > vb) { s = ua; ua = ub; ub = s; s = va; va = vb; vb = s; }
    if (vb > vc) { s = ub; ub = uc; uc = s; s = vb; vb = vc; vc = s; }
    if (va > vb) { s = ua; ua = ub; ub = s; s = va; va = vb; vb = s; }
    const W = this.width, H = this.height;
    const j0 = Math.max(0, Math.ceil(va)), j1 = Math.min(H - 1, Math.floor(vc));
    const out = this.#out!, ids = this.#ids, depth = this.depth;
    const sAC = (uc - ua) / (vc - va), sAB = vb > va ? (ub - ua) / (vb - va) : 0, sBC = vc > vb ? (uc - ub) / (vc - vb) : 0;
    for (let j = j0; j <= j1; j++) {
      const xLong = ua + (j - va) * sAC;
      const xShort = j < vb ? ua + (j - va) * sAB : ub + (j - vb) * sBC;
      let xl = xLong, xr = xShort;
      if (xl > xr) { xl = xShort; xr = xLong; }
      const i0 = Math.max(0, Math.ceil(xl)), i1 = Math.min(W - 1, Math.floor(xr));
      if (i0 > i1) continue;
      let w = wu * i0 + wv * j + wc;
      let p = j * W + i0;
      for (let i = i0; i <= i1; i++, p++, w += wu) {
        if (w > depth[p]) {
          depth[p] = w;
          const o = 3 * p;
          out[o] = r8; out[o + 1] = g8; out[o + 2] = b8;
          if (ids) ids[p] = id;
        }
      }
    }
  }
}

function toByte(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 255 : Math.round(x * 255);
}
