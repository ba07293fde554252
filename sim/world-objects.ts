// The loose objects of the sim world and the little physics they get: resting, carried, or falling straight down
// onto the first surface below (bin floor, table, another object, or the floor). No rigid-body dynamics: objects
// that are not carried never move sideways, and they never tip; a falling object keeps only its yaw.
import type { Pose, Vec3 } from '../runtime/robot/arm-description.js';
import type { BinSpec, TableSpec } from './scene-layout.js';

/** 'cloth' is reserved for the deformable object that comes later; only boxes exist today. */
export type ObjectKind = 'box' | 'cloth';
export type ObjectState = 'resting' | 'held' | 'falling';

export interface SimObject {
  readonly id: string;
  readonly kind: ObjectKind;
  readonly color: string;
  /** Full extents in the object's own frame, m. */
  readonly size: Vec3;
  /** Centre pose in the base frame; mutated in place. */
  readonly pose: Pose;
  state: ObjectState;
  fallSpeedMS: number;
  /** Bin number the object rests in, 0 = none. */
  inBin: number;
  /** While held: the object's pose in the tcp frame. */
  readonly grip: Pose;
}

export const GRAVITY_MS2 = 9.81;

export function makeBox(id: string, color: string, sizeM: number, xM: number, yM: number, zBottomM: number, yawRad: number): SimObject {
  const pose: Pose = { position: { x: xM, y: yM, z: zBottomM + sizeM / 2 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
  setYaw(pose, yawRad);
  return {
    id, kind: 'box', color, size: { x: sizeM, y: sizeM, z: sizeM }, pose, state: 'resting', fallSpeedMS: 0, inBin: 0,
    grip: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
  };
}

export function yawOf(pose: Pose): number {
  const q = pose.orientation;
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

/** Makes the orientation a pure yaw (level), in place. */
export function setYaw(pose: Pose, yawRad: number): void {
  const q = pose.orientation;
  q.x = 0; q.y = 0; q.z = Math.sin(yawRad / 2); q.w = Math.cos(yawRad / 2);
}

/** Half extents of the axis-aligned box around a level object's footprint. */
function halfX(o: SimObject): number {
  const yaw = yawOf(o.pose);
  return (Math.abs(Math.cos(yaw)) * o.size.x + Math.abs(Math.sin(yaw)) * o.size.y) / 2;
}
function halfY(o: SimObject): number {
  const yaw = yawOf(o.pose);
  return (Math.abs(Math.sin(yaw)) * o.size.x + Math.abs(Math.cos(yaw)) * o.size.y) / 2;
}

export function bottomZ(o: SimObject): number {
  return o.pose.position.z - o.size.z / 2;
}

/** The bin whose outer footprint holds (x, y), or undefined. */
export function binAt(bins: readonly BinSpec[], x: number, y: number): BinSpec | undefined {
  for (const b of bins) {
    if (Math.abs(x - b.centerXM) <= b.sizeXM / 2 && Math.abs(y - b.centerYM) <= b.sizeYM / 2) return b;
  }
  return undefined;
}

/**
 * A released object over a bin slides inside its walls before it falls (the walls guide it in), so an object
 * let go anywhere over a bin ends in that bin rather than balanced on a wall.
 */
export function guideIntoBin(o: SimObject, bins: readonly BinSpec[]): void {
  const p = o.pose.position;
  const b = binAt(bins, p.x, p.y);
  if (!b) return;
  const hx = halfX(o), hy = halfY(o);
  const ix = b.sizeXM / 2 - b.wallM - hx, iy = b.sizeYM / 2 - b.wallM - hy;
  if (ix > 0) p.x = Math.min(Math.max(p.x, b.centerXM - ix), b.centerXM + ix);
  if (iy > 0) p.y = Math.min(Math.max(p.y, b.centerYM - iy), b.centerYM + iy);
}

export interface Support {
  zM: number;
  bin: number;
}

/** The highest surface under o's footprint at or below its bottom. */
export function supportUnder(o: SimObject, objects: readonly SimObject[], table: TableSpec, bins: readonly BinSpec[], out: Support): Support {
  const p = o.pose.position;
  const zb = bottomZ(o) + 1e-6;
  let z = table.topZM - table.heightM;
  let bin = 0;
  if (p.x >= table.xMinM && p.x <= table.xMaxM && p.y >= table.yMinM && p.y <= table.yMaxM && table.topZM <= zb) z = table.topZM;
  const b = binAt(bins, p.x, p.y);
  if (b) {
    bin = b.number;
    const floorTop = b.baseZM + b.floorM;
    if (floorTop <= zb && floorTop > z) z = floorTop;
  }
  const hx = halfX(o), hy = halfY(o);
  for (const other of objects) {
    if (other === o || other.state !== 'resting') continue;
    const q = other.pose.position;
    const top = q.z + other.size.z / 2;
    if (top > zb || top <= z) continue;
    if (Math.abs(q.x - p.x) < hx + halfX(other) - 1e-6 && Math.abs(q.y - p.y) < hy + halfY(other) - 1e-6) z = top;
  }
  out.zM = z;
  out.bin = bin;
  return out;
}

/**
 * Advances every falling object by dtS and lands it on its support; objects whose support went away (the object
 * under them was picked up) start falling. Returns true when anything landed or started to fall.
 */
export function stepFalling(objects: readonly SimObject[], table: TableSpec, bins: readonly BinSpec[], dtS: number, recheckResting: boolean, scratch: Support): boolean {
  let changed = false;
  for (const o of objects) {
    if (o.state === 'falling') {
      supportUnder(o, objects, table, bins, scratch);
      o.fallSpeedMS += GRAVITY_MS2 * dtS;
      const p = o.pose.position;
      p.z -= o.fallSpeedMS * dtS;
      if (bottomZ(o) <= scratch.zM) {
        p.z = scratch.zM + o.size.z / 2;
        o.fallSpeedMS = 0;
        o.state = 'resting';
        o.inBin = scratch.bin;
        changed = true;
      }
    } else if (recheckResting && o.state === 'resting') {
      supportUnder(o, objects, table, bins, scratch);
      if (scratch.zM < bottomZ(o) - 1e-6) {
        o.state = 'falling';
        o.inBin = 0;
        changed = true;
      }
    }
  }
  return changed;
}
