// Where things stand in the sim world: the table, the bins, and the seeded placement of the boxes.
// Frames: the arm's base frame; the table top is z = 0 and the arm stands at the origin at table height.
import type { Random } from './random.js';

export interface TableSpec {
  xMinM: number;
  xMaxM: number;
  yMinM: number;
  yMaxM: number;
  /** Table top height; the floor is heightM below it. */
  topZM: number;
  heightM: number;
}

/** An open box with walls, standing at z = baseZM, axis-aligned in the base frame. Numbered from 1. */
export interface BinSpec {
  number: number;
  centerXM: number;
  centerYM: number;
  sizeXM: number;
  sizeYM: number;
  heightM: number;
  wallM: number;
  floorM: number;
  baseZM: number;
}

export interface SpawnRegion {
  xMinM: number;
  xMaxM: number;
  yMinM: number;
  yMaxM: number;
}

export interface SceneLayoutConfig {
  table?: TableSpec;
  bins?: BinSpec[];
  /** Where box centres may be drawn: on the table and within comfortable top-down reach. */
  spawn?: SpawnRegion;
  /** Cube edge lengths are drawn uniformly in this range, m. Default [0.04, 0.06]: the gripper opens 0.08 m. */
  boxSizeRangeM?: [number, number];
  /** Free space kept between the circumscribed circles of two boxes, for the open fingers. Default 0.03 m. */
  minClearanceM?: number;
}

export interface BoxSpec {
  id: string;
  color: string;
  sizeM: number;
  xM: number;
  yM: number;
  yawRad: number;
}

export const DEFAULT_TABLE: TableSpec = { xMinM: 0.2, xMaxM: 0.8, yMinM: -0.5, yMaxM: 0.35, topZM: 0, heightM: 0.75 };

/**
 * Three 0.2 × 0.2 × 0.1 m bins on the arm's left, beside the table (y > 0.35), on an arc of radius 0.55 m
 * around the base: every bin centre is well inside the reach of a top-down grasp at carry height.
 */
export function defaultBins(): BinSpec[] {
  const radiusM = 0.55;
  return [60, 90, 120].map((deg, i) => ({
    number: i + 1,
    centerXM: round4(radiusM * Math.cos((deg * Math.PI) / 180)),
    centerYM: round4(radiusM * Math.sin((deg * Math.PI) / 180)),
    sizeXM: 0.2,
    sizeYM: 0.2,
    heightM: 0.1,
    wallM: 0.01,
    floorM: 0.01,
    baseZM: 0,
  }));
}

export const DEFAULT_SPAWN: SpawnRegion = { xMinM: 0.35, xMaxM: 0.62, yMinM: -0.25, yMaxM: 0.2 };

export const BOX_COLORS: readonly string[] = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'cyan', 'magenta'];

/**
 * Draws n boxes: centres uniform in the spawn region, yaw uniform over a quarter turn (a cube repeats every
 * quarter turn), edges uniform in the size range; a draw that crowds an earlier box is drawn again.
 */
export function placeBoxes(rng: Random, n: number, config: SceneLayoutConfig = {}): BoxSpec[] {
  const spawn = config.spawn ?? DEFAULT_SPAWN;
  const [sMin, sMax] = config.boxSizeRangeM ?? [0.04, 0.06];
  const clearanceM = config.minClearanceM ?? 0.03;
  const boxes: BoxSpec[] = [];
  for (let i = 0; i < n; i++) {
    let placed = false;
    for (let attempt = 0; attempt < 2000 && !placed; attempt++) {
      const sizeM = rng.uniform(sMin, sMax);
      const xM = rng.uniform(spawn.xMinM, spawn.xMaxM);
      const yM = rng.uniform(spawn.yMinM, spawn.yMaxM);
      const yawRad = rng.uniform(-Math.PI / 4, Math.PI / 4);
      const r = sizeM * Math.SQRT1_2;
      placed = boxes.every((b) => Math.hypot(b.xM - xM, b.yM - yM) >= r + b.sizeM * Math.SQRT1_2 + clearanceM);
      if (placed) {
        const color = BOX_COLORS[i % BOX_COLORS.length];
        boxes.push({ id: `box_${i + 1}_${color}`, color, sizeM, xM, yM, yawRad });
      }
    }
    if (!placed) throw new Error(`placeBoxes: no room for box ${i + 1} of ${n} in the spawn region; use fewer boxes`);
  }
  return boxes;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
