// Which cells of a scene to train on, and what each should predict. Boxes are rare in a frame (a few dozen of
// 4800 cells), so cells are sampled: every cell near a box (targets, and the held/binned/half-hidden boxes
// the model must not report), some on the arm, some anywhere. Targets follow README.md's output definition.
import type { Random } from '../../../sim/random.js';
import { ARM_ID } from '../../../sim/render/scene-renderer.js';
import { CELLS_X, CELLS_Y, CTX_FEATURES, FINE_PIXELS, INPUT_H, INPUT_W, MASK_PIXELS } from './cell-features.js';
import type { CellFeatureExtractor } from './cell-features.js';
import type { BoxLabel } from './scene-labels.js';

export const REG_CHANNELS = 5;
/** Heatmap peak width, cells. */
export const HEAT_SIGMA_CELLS = 0.75;
/** Cells this close to a target's centre learn the regression outputs (the decoder votes over 3×3). */
export const REG_RADIUS_CELLS = 1.6;
export const SIZE_MEAN_M = 0.05;
export const SIZE_SCALE_M = 0.01;

/** Full-resolution pixel → continuous cell coordinate (cell J spans [J, J + 1)). 8 = 4 (resize) · 2 (cell). */
export const cellCoord = (pixel: number): number => (pixel + 0.5) / 8;

export class CellBatch {
  readonly capacity: number;
  readonly classes: number;
  /** Per cell: fine RGB (3·FINE_PIXELS), fine in-image mask (FINE_PIXELS), context (CTX_FEATURES). */
  readonly fineRgb: Float32Array;
  readonly fineMask: Float32Array;
  readonly context: Float32Array;
  readonly heat: Float32Array;
  readonly heatWeight: Float32Array;
  readonly reg: Float32Array;
  readonly regWeight: Float32Array;
  count = 0;
  /** Mask-head samples: input pixels with their 3×3 neighbourhood and the top-face coverage to learn. */
  readonly pixelCapacity: number;
  readonly pixelRgb: Float32Array;
  readonly pixelValid: Float32Array;
  readonly pixelTarget: Float32Array;
  pixelCount = 0;

  constructor(capacity: number, classes: number, pixelCapacity = 4 * capacity) {
    this.capacity = capacity;
    this.classes = classes;
    this.fineRgb = new Float32Array(capacity * 3 * FINE_PIXELS);
    this.fineMask = new Float32Array(capacity * FINE_PIXELS);
    this.context = new Float32Array(capacity * CTX_FEATURES);
    this.heat = new Float32Array(capacity * classes);
    this.heatWeight = new Float32Array(capacity * classes);
    this.reg = new Float32Array(capacity * REG_CHANNELS);
    this.regWeight = new Float32Array(capacity);
    this.pixelCapacity = pixelCapacity;
    this.pixelRgb = new Float32Array(pixelCapacity * 3 * MASK_PIXELS);
    this.pixelValid = new Float32Array(pixelCapacity * MASK_PIXELS);
    this.pixelTarget = new Float32Array(pixelCapacity);
  }

  clear(): void {
    this.count = 0;
    this.pixelCount = 0;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }
}

const mark = new Uint8Array(CELLS_X * CELLS_Y);

/** Adds the scene's sampled cells to batch (stops when it is full). Returns how many were added. */
export function addSceneCells(
  rng: Random, extractor: CellFeatureExtractor, labels: readonly BoxLabel[], rgb: Uint8Array, ids: Uint8Array, idsWidth: number,
  classes: readonly string[], batch: CellBatch, randomCells = 64, armCells = 24,
): number {
  mark.fill(0);
  const chosen: number[] = [];
  const pick = (cell: number) => { if (!mark[cell]) { mark[cell] = 1; chosen.push(cell); } };
  for (const l of labels) {
    if (l.visibleFraction < 0.05) continue;
    const gx = cellCoord(l.u), gy = cellCoord(l.v), r = l.role === 'target' ? 2.6 : 2.1;
    for (let i = Math.max(0, Math.floor(gy - r)); i <= Math.min(CELLS_Y - 1, Math.floor(gy + r)); i++) {
      for (let j = Math.max(0, Math.floor(gx - r)); j <= Math.min(CELLS_X - 1, Math.floor(gx + r)); j++) {
        if (Math.hypot(j + 0.5 - gx, i + 0.5 - gy) <= r) pick(i * CELLS_X + j);
      }
    }
  }
  // Arm cells, the colourful ones (the orange links, which pass for an orange box) twice as often.
  const arm: number[] = [], colourful: number[] = [];
  for (let i = 0; i < CELLS_Y; i++) {
    for (let j = 0; j < CELLS_X; j++) {
      const p = (8 * i + 4) * idsWidth + 8 * j + 4;
      if (ids[p] !== ARM_ID) continue;
      const r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2], hi = Math.max(r, g, b);
      (hi - Math.min(r, g, b) > 0.35 * hi ? colourful : arm).push(i * CELLS_X + j);
    }
  }
  for (let k = 0; k < armCells && arm.length; k++) pick(arm[rng.int(arm.length)]);
  for (let k = 0; k < 2 * armCells && colourful.length; k++) pick(colourful[rng.int(colourful.length)]);
  for (let k = 0; k < randomCells; k++) pick(rng.int(CELLS_X * CELLS_Y));

  const C = classes.length;
  let added = 0;
  for (const cell of chosen) {
    if (batch.full) break;
    const n = batch.count++;
    added++;
    const row = Math.floor(cell / CELLS_X), col = cell % CELLS_X;
    extractor.cell(row, col, n, batch.fineRgb, batch.fineMask, batch.context);
    const cx = col + 0.5, cy = row + 0.5;
    for (let c = 0; c < C; c++) { batch.heat[n * C + c] = 0; batch.heatWeight[n * C + c] = 1; }
    batch.reg.fill(0, n * REG_CHANNELS, (n + 1) * REG_CHANNELS);
    batch.regWeight[n] = 0;
    for (const l of labels) {
      const c = classes.indexOf(l.color);
      if (c < 0) continue;
      const dx = cellCoord(l.u) - cx, dy = cellCoord(l.v) - cy, d = Math.hypot(dx, dy);
      if (l.role === 'ignore' && d < 2.5) batch.heatWeight[n * C + c] = 0;
      if (l.role !== 'target') continue;
      const t = Math.exp(-(d * d) / (2 * HEAT_SIGMA_CELLS * HEAT_SIGMA_CELLS));
      if (t > batch.heat[n * C + c]) {
        batch.heat[n * C + c] = t;
        batch.heatWeight[n * C + c] = 1 + 4 * t;
      }
      if (d <= REG_RADIUS_CELLS) {
        const o = n * REG_CHANNELS;
        batch.reg[o] = dx;
        batch.reg[o + 1] = dy;
        batch.reg[o + 2] = Math.cos(4 * l.yawRad);
        batch.reg[o + 3] = Math.sin(4 * l.yawRad);
        batch.reg[o + 4] = (l.sizeM - SIZE_MEAN_M) / SIZE_SCALE_M;
        batch.regWeight[n] = 1;
      }
    }
  }
  return added;
}

/** Input pixel (low-resolution) coordinate of a full-resolution one: pixel X is centred on 4X + 1.5. */
const inputCoord = (pixel: number): number => (pixel - 1.5) / 4;

/**
 * Adds mask-head samples: input pixels around every box (the faces and edges the moments are taken over) and
 * some anywhere, each labelled with the share of its 4×4 source block that shows a box's top face.
 */
export function addScenePixels(
  rng: Random, extractor: CellFeatureExtractor, labels: readonly BoxLabel[], ids: Uint8Array, idsWidth: number,
  batch: CellBatch, perBox = 40, randomPixels = 40, armPixels = 24,
): number {
  let added = 0;
  const add = (y: number, x: number) => {
    if (batch.pixelCount >= batch.pixelCapacity || y < 0 || y >= INPUT_H || x < 0 || x >= INPUT_W) return;
    const n = batch.pixelCount++;
    added++;
    extractor.pixel(y, x, n, batch.pixelRgb, batch.pixelValid);
    let top = 0;
    for (let dy = 0; dy < 4; dy++) {
      for (let dx = 0; dx < 4; dx++) {
        const id = ids[(4 * y + dy) * idsWidth + 4 * x + dx];
        if (id >= 3 && id & 1) top++;
      }
    }
    batch.pixelTarget[n] = top / 16;
  };
  for (const l of labels) {
    if (l.visibleFraction < 0.05) continue;
    const cx = inputCoord(l.u), cy = inputCoord(l.v);
    for (let k = 0; k < perBox; k++) add(Math.round(cy + rng.uniform(-5, 5)), Math.round(cx + rng.uniform(-5, 5)));
  }
  for (let k = 0; k < randomPixels; k++) add(rng.int(INPUT_H), rng.int(INPUT_W));
  // The arm's orange links are the likeliest thing to pass for a box face.
  const arm: number[] = [];
  for (let y = 1; y < INPUT_H; y += 3) for (let x = 1; x < INPUT_W; x += 3) if (ids[(4 * y + 2) * idsWidth + 4 * x + 2] === ARM_ID) arm.push(y * INPUT_W + x);
  for (let k = 0; k < armPixels && arm.length; k++) {
    const p = arm[rng.int(arm.length)];
    add(Math.floor(p / INPUT_W) + rng.int(3) - 1, (p % INPUT_W) + rng.int(3) - 1);
  }
  return added;
}
