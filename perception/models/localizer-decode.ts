// Postprocessing of the localizer's outputs (README.md): per colour, the peak cell of the heatmap; a
// heatmap-weighted vote of the 3×3 neighbourhood's centre offsets and sizes; then the top-face centre pixel
// back-projected onto the plane of the box top. Yaw comes from the top-face mask when the model has one: the
// 4th-order moment Σ m·(dx + i·dy)⁴ of a square's face points along its corners, so its angle is 4·(edge
// angle) + π, whatever the square's size or the sub-pixel offset; the image angle is then carried into the
// base frame through the camera. Without a mask, the regressed cos 4θ, sin 4θ are used.
// One detection per colour at most: the sim gives every box its own colour. decode() allocates nothing.
import type { PinholeCamera, PixelPoint, Point3 } from './camera-model.js';

export interface LocalizerDetection {
  color: string;
  classIndex: number;
  /** Box centre in the base frame (z = centre height), m. */
  xM: number;
  yM: number;
  zM: number;
  /** Yaw about base z, in [−π/4, π/4]: a cube repeats every quarter turn. */
  yawRad: number;
  /** Estimated edge length, m. */
  sizeM: number;
  /** Heatmap peak, 0..1. */
  confidence: number;
  /**
   * Share of the top face the mask sees, 0..1 (1 without a mask): the mask mass around the centre over the face's
   * expected area in input pixels. A face partly hidden (by the arm, usually) still peaks, but its centre and yaw
   * are biased toward the visible part, so consumers that track a box keep their estimate while this is low.
   */
  visibility: number;
  /** Top-face centre in full-resolution pixels. */
  u: number;
  v: number;
}

export interface TableBounds {
  xMinM: number;
  xMaxM: number;
  yMinM: number;
  yMaxM: number;
  topZM: number;
}

export interface DecoderConfig {
  classes: readonly string[];
  cellsX: number;
  cellsY: number;
  /** Full-resolution pixels per output cell (resize factor · cell stride). */
  cellPx: number;
  /** Minimum heatmap peak for a detection. */
  threshold: number;
  table: TableBounds;
  sizeMeanM: number;
  sizeScaleM: number;
  /** The model input's size and its resize factor from the camera frame, for the `mask` output. */
  input?: { width: number; height: number; factor: number };
}

export class LocalizerDecoder {
  readonly config: DecoderConfig;
  /** Full-resolution camera the pixels belong to. */
  readonly camera: PinholeCamera;
  /** The first `count` (from decode) are this frame's detections; the objects are reused every frame. */
  readonly detections: LocalizerDetection[];
  readonly #p: Point3 = { x: 0, y: 0, z: 0 };
  readonly #q: Point3 = { x: 0, y: 0, z: 0 };
  readonly #px: PixelPoint = { u: 0, v: 0, depthM: 0 };
  /** Set by #maskYaw for the detection being decoded. */
  #visibility = 1;

  constructor(config: DecoderConfig, camera: PinholeCamera) {
    this.config = config;
    this.camera = camera;
    this.detections = config.classes.map((color, classIndex) => ({
      color, classIndex, xM: 0, yM: 0, zM: 0, yawRad: 0, sizeM: 0, confidence: 0, u: 0, v: 0, visibility: 1,
    }));
  }

  /**
   * heat: [C, cellsY, cellsX]; reg: [5, cellsY, cellsX] (dx, dy, cos 4θ, sin 4θ, size); mask (optional):
   * [input height, input width]. Returns the count.
   */
  decode(heat: Float32Array, reg: Float32Array, mask?: Float32Array): number {
    const { cellsX: W, cellsY: H, classes, threshold, cellPx, table } = this.config;
    const plane = W * H;
    if (heat.length < classes.length * plane || reg.length < 5 * plane) {
      throw new Error(`LocalizerDecoder#decode: outputs hold ${heat.length} and ${reg.length} values, expected ${classes.length * plane} and ${5 * plane}`);
    }
    let count = 0;
    for (let c = 0; c < classes.length; c++) {
      const o = c * plane;
      let best = -1, peak = threshold;
      for (let i = 0; i < plane; i++) if (heat[o + i] >= peak) { peak = heat[o + i]; best = i; }
      if (best < 0) continue;
      const row = Math.floor(best / W), col = best - row * W;
      let sw = 0, gx = 0, gy = 0, cs = 0, sn = 0, size = 0;
      for (let i = Math.max(0, row - 1); i <= Math.min(H - 1, row + 1); i++) {
        for (let j = Math.max(0, col - 1); j <= Math.min(W - 1, col + 1); j++) {
          const k = i * W + j, w = heat[o + k];
          if (w < 0.5 * peak) continue;
          sw += w;
          gx += w * (j + 0.5 + reg[k]);
          gy += w * (i + 0.5 + reg[plane + k]);
          cs += w * reg[2 * plane + k];
          sn += w * reg[3 * plane + k];
          size += w * reg[4 * plane + k];
        }
      }
      const d = this.detections[count];
      d.u = cellPx * (gx / sw) - 0.5;
      d.v = cellPx * (gy / sw) - 0.5;
      d.sizeM = Math.min(0.12, Math.max(0.02, this.config.sizeMeanM + this.config.sizeScaleM * (size / sw)));
      const topZ = table.topZM + d.sizeM;
      if (!this.camera.backprojectToPlaneZ(d.u, d.v, topZ, this.#p)) continue;
      const p = this.#p;
      // Boxes are reported only on the table: anything else (a bin, the gripper) is out of scope.
      if (p.x < table.xMinM || p.x > table.xMaxM || p.y < table.yMinM || p.y > table.yMaxM) continue;
      d.color = classes[c];
      d.classIndex = c;
      d.xM = p.x;
      d.yM = p.y;
      d.zM = topZ - d.sizeM / 2;
      this.#visibility = 1;
      d.yawRad = (mask && this.#maskYaw(mask, d.u, d.v, d.sizeM, topZ)) ?? Math.atan2(sn, cs) / 4;
      d.visibility = mask ? this.#visibility : 1;
      d.confidence = peak;
      count++;
    }
    return count;
  }

  /** Yaw (base frame) from the top-face mask around full-res pixel (u, v); undefined when the face is not there. */
  #maskYaw(mask: Float32Array, u: number, v: number, sizeM: number, topZ: number): number | undefined {
    const inp = this.config.input;
    if (!inp) return undefined;
    const f = inp.factor, off = (f - 1) / 2, p = this.#p, q = this.#q, px = this.#px;
    const uc = (u - off) / f, vc = (v - off) / f;
    // Window: the face's half-diagonal in input pixels, plus the anti-aliased rim.
    this.camera.project(p.x + 0.71 * sizeM, p.y, topZ, px);
    const r = Math.hypot(px.u - u, px.v - v) / f + 0.75, r2 = r * r;
    let re = 0, im = 0, mass = 0;
    for (let y = Math.max(0, Math.ceil(vc - r)); y <= Math.min(inp.height - 1, Math.floor(vc + r)); y++) {
      const dy = y - vc;
      for (let x = Math.max(0, Math.ceil(uc - r)); x <= Math.min(inp.width - 1, Math.floor(uc + r)); x++) {
        const dx = x - uc;
        if (dx * dx + dy * dy > r2) continue;
        const m = mask[y * inp.width + x];
        const dx2 = dx * dx, dy2 = dy * dy;
        re += m * (dx2 * dx2 - 6 * dx2 * dy2 + dy2 * dy2);
        im += m * 4 * dx * dy * (dx2 - dy2);
        mass += m;
      }
    }
    // The face's expected area in input pixels: its half-diagonal r − 0.75 is √2/2 of the edge.
    const edgePx = (r - 0.75) * Math.SQRT2;
    this.#visibility = Math.min(1, mass / (edgePx * edgePx));
    if (mass < 1 || Math.hypot(re, im) < 1e-3 * mass) return undefined;
    // Edge direction in the image, carried onto the table through the camera.
    const edge = (Math.atan2(im, re) - Math.PI) / 4;
    if (!this.camera.backprojectToPlaneZ(u + 2 * f * Math.cos(edge), v + 2 * f * Math.sin(edge), topZ, q)) return undefined;
    return wrapSquareYaw(Math.atan2(q.y - p.y, q.x - p.x));
  }
}

/** Wraps a square's yaw into [−π/4, π/4). */
export function wrapSquareYaw(yawRad: number): number {
  const q = Math.PI / 2;
  return yawRad - q * Math.floor(yawRad / q + 0.5);
}

/** The smallest difference between two yaws of a square (period π/2), in [0, π/4]. */
export function squareYawError(a: number, b: number): number {
  const q = Math.PI / 2;
  const d = (((a - b) % q) + q) % q;
  return Math.min(d, q - d);
}
