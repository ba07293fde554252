// What the towel expert reads off its inputs: from the particle positions (x y z per particle, row-major
// rows × cols) which corner to take and which way the towel runs from it; from the scene the towel and the bin.
import type { Vec3 } from '../../../runtime/robot/index.js';
import type { SceneBin, SceneObject, SceneState } from '../../../runtime/messages/index.js';

/** The four corner particles: near_left, near_right, far_left, far_right (row 0 = near, column 0 = left). */
export function cornerIndices(rows: number, cols: number): [number, number, number, number] {
  const lastRow = (rows - 1) * cols;
  return [0, cols - 1, lastRow, lastRow + cols - 1];
}

/** The particle two steps in from a corner along the diagonal (one step on a 2-wide grid). */
export function diagonalNeighbour(corner: number, rows: number, cols: number): number {
  const r = Math.floor(corner / cols), c = corner % cols;
  const k = Math.min(2, rows - 1, cols - 1);
  const r2 = r === 0 ? k : r - k, c2 = c === 0 ? k : c - k;
  return r2 * cols + c2;
}

export function particleCentroid(p: ArrayLike<number>, out: Vec3): Vec3 {
  const n = Math.floor(p.length / 3);
  let sx = 0, sy = 0, sz = 0;
  for (let o = 0; o < 3 * n; o += 3) { sx += p[o]; sy += p[o + 1]; sz += p[o + 2]; }
  out.x = sx / n; out.y = sy / n; out.z = sz / n;
  return out;
}

/** Horizontal unit direction from particle a toward particle b (or toward `fallback` when they coincide). */
export function directionXY(p: ArrayLike<number>, a: number, b: number, fallback: Vec3): [number, number] {
  let dx = p[3 * b] - p[3 * a], dy = p[3 * b + 1] - p[3 * a + 1];
  if (Math.hypot(dx, dy) < 1e-3) { dx = fallback.x - p[3 * a]; dy = fallback.y - p[3 * a + 1]; }
  const l = Math.hypot(dx, dy) || 1;
  return [dx / l, dy / l];
}

export function findTowel(scene: SceneState, id: string): SceneObject {
  for (const o of scene.objects) if (o.id === id) return o;
  throw new Error(`TowelExpert#step: no object "${id}" in the scene (${scene.objects.map((o) => o.id).join(', ')}); is the world's cloth on?`);
}

export function binOf(scene: SceneState, number: number): SceneBin {
  for (const b of scene.bins) if (b.number === number) return b;
  throw new Error(`TowelExpert#step: no bin ${number} in the scene (bins ${scene.bins.map((b) => b.number).join(', ')})`);
}

export function jointDistance(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
  return s;
}
