// What the cloth collides with: solid boxes that may turn about z (the table, the bins' floors and walls, the
// loose boxes) and the floor plane. Kept in one preallocated Float64Array so the world can move a box every
// step without allocating; the cloth only reads it.
import type { BinSpec, TableSpec } from '../scene-layout.js';

/** Floats per box: centre x y z, half extents x y z, cos yaw, sin yaw. */
export const BOX_STRIDE = 8;

export class ClothColliders {
  /** The floor, a plane under everything, z in the base frame. */
  floorZM: number;
  /** Packed boxes, BOX_STRIDE floats each; the first `count` are live. */
  readonly boxes: Float64Array;
  count = 0;

  constructor(capacity: number, floorZM = -Infinity) {
    this.boxes = new Float64Array(Math.max(1, capacity) * BOX_STRIDE);
    this.floorZM = floorZM;
  }

  get capacity(): number {
    return this.boxes.length / BOX_STRIDE;
  }

  /** Appends a box; returns its slot (for setBox later). */
  addBox(cx: number, cy: number, cz: number, hx: number, hy: number, hz: number, yawRad = 0): number {
    if (this.count >= this.capacity) throw new Error(`ClothColliders#addBox: all ${this.capacity} slots are taken`);
    const slot = this.count++;
    this.setBox(slot, cx, cy, cz, hx, hy, hz, yawRad);
    return slot;
  }

  /** Rewrites a box in place (a moving object). */
  setBox(slot: number, cx: number, cy: number, cz: number, hx: number, hy: number, hz: number, yawRad: number): void {
    const b = this.boxes, o = slot * BOX_STRIDE;
    b[o] = cx; b[o + 1] = cy; b[o + 2] = cz;
    b[o + 3] = hx; b[o + 4] = hy; b[o + 5] = hz;
    b[o + 6] = Math.cos(yawRad); b[o + 7] = Math.sin(yawRad);
  }

  /** Parks a box far away (an object that should not collide right now) without reordering the slots. */
  disableBox(slot: number): void {
    const b = this.boxes, o = slot * BOX_STRIDE;
    b[o] = 1e9; b[o + 1] = 1e9; b[o + 2] = 1e9;
    b[o + 3] = 0; b[o + 4] = 0; b[o + 5] = 0;
  }
}

/** Boxes a bin is made of: its floor and four walls (the walls stand on the floor's footprint edges). */
export const BOXES_PER_BIN = 5;

/**
 * Colliders for the static scene: the table as a solid block down to the floor, each bin as a floor slab and four
 * walls, and the floor. `extra` slots are left free for moving objects.
 */
export function staticColliders(table: TableSpec, bins: readonly BinSpec[], extra = 0): ClothColliders {
  const c = new ClothColliders(1 + BOXES_PER_BIN * bins.length + extra, table.topZM - table.heightM);
  const hx = (table.xMaxM - table.xMinM) / 2, hy = (table.yMaxM - table.yMinM) / 2, hz = table.heightM / 2;
  c.addBox(table.xMinM + hx, table.yMinM + hy, table.topZM - hz, hx, hy, hz);
  for (const b of bins) addBin(c, b);
  return c;
}

function addBin(c: ClothColliders, b: BinSpec): void {
  const hx = b.sizeXM / 2, hy = b.sizeYM / 2, w = b.wallM / 2;
  c.addBox(b.centerXM, b.centerYM, b.baseZM + b.floorM / 2, hx, hy, b.floorM / 2);
  const wallZ = b.baseZM + b.heightM / 2, wallH = b.heightM / 2;
  c.addBox(b.centerXM - hx + w, b.centerYM, wallZ, w, hy, wallH);
  c.addBox(b.centerXM + hx - w, b.centerYM, wallZ, w, hy, wallH);
  c.addBox(b.centerXM, b.centerYM - hy + w, wallZ, hx, w, wallH);
  c.addBox(b.centerXM, b.centerYM + hy - w, wallZ, hx, w, wallH);
}
