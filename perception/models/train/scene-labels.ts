// Ground truth for one rendered scene: where each box's top-face centre lands in the image, and how much of
// that face the camera actually sees (from the renderer's id buffer), which decides whether a box is a target
// (clearly visible on the table), ignored (half hidden), or background (hidden, held, or in a bin).
import type { PinholeCamera, PixelPoint } from '../camera-model.js';
import { quatRotateVec3 } from '../../../runtime/robot/index.js';
import { objectTopId } from '../../../sim/render/scene-renderer.js';
import type { SampledBox } from './scene-sampler.js';

/** A box counts as a target when at least this share of its top face is visible. */
export const TARGET_VISIBLE = 0.6;
/** Below this share a box is treated as not there (nothing to learn from). */
export const IGNORE_VISIBLE = 0.2;

export type LabelRole = 'target' | 'ignore' | 'background';

export interface BoxLabel {
  index: number;
  color: string;
  status: SampledBox['status'];
  role: LabelRole;
  xM: number;
  yM: number;
  sizeM: number;
  yawRad: number;
  /** Top-face centre in full-resolution pixels. */
  u: number;
  v: number;
  visibleFraction: number;
}

const px: PixelPoint = { u: 0, v: 0, depthM: 0 };

export function labelBoxes(boxes: readonly SampledBox[], camera: PinholeCamera, ids: Uint8Array): BoxLabel[] {
  const { width, height } = camera.intrinsics;
  const counts = new Map<number, number>();
  for (let i = 0; i < width * height; i++) if (ids[i] >= 3 && ids[i] & 1) counts.set(ids[i], (counts.get(ids[i]) ?? 0) + 1);
  return boxes.map((b, k) => {
    const s = b.size.z / 2;
    const up = quatRotateVec3(b.pose.orientation, { x: 0, y: 0, z: s });
    const p = b.pose.position;
    camera.project(p.x + up.x, p.y + up.y, p.z + up.z, px);
    const u = px.u, v = px.v;
    // Projected area of the top face (shoelace over its four corners).
    let area = 0;
    const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([cx, cy]) => {
      const c = quatRotateVec3(b.pose.orientation, { x: (cx * b.size.x) / 2, y: (cy * b.size.y) / 2, z: s });
      camera.project(p.x + c.x, p.y + c.y, p.z + c.z, px);
      return [px.u, px.v];
    });
    for (let i = 0; i < 4; i++) {
      const [x0, y0] = corners[i], [x1, y1] = corners[(i + 1) % 4];
      area += x0 * y1 - x1 * y0;
    }
    area = Math.abs(area) / 2;
    const visibleFraction = area > 0 ? Math.min(1, (counts.get(objectTopId(k)) ?? 0) / area) : 0;
    let role: LabelRole = 'background';
    if (b.status === 'table' && visibleFraction >= TARGET_VISIBLE) role = 'target';
    else if (b.status === 'table' && visibleFraction >= IGNORE_VISIBLE) role = 'ignore';
    return {
      index: k, color: b.color, status: b.status, role, xM: p.x, yM: p.y, sizeM: b.size.x, yawRad: b.yawRad,
      u, v, visibleFraction,
    };
  });
}
