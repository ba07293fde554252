// The towel's knobs, with their defaults and the checks that keep the solver stable. Errors name the field.

export interface ClothConfig {
  /** Grid lines along the towel's local x (row 0 is the 'near' edge, at local -x). Default 20. */
  rows?: number;
  /** Particles in a row, along local y (column 0 is the 'left' edge, at local +y). Default 20. */
  cols?: number;
  /** Towel extents, m: [along local x (across the rows), along local y (along a row)]. Default [0.3, 0.3]. */
  sizeM?: [number, number];
  /** Total mass, kg. Default 0.1. */
  massKg?: number;
  /** Thickness, m; particles collide as spheres of half this radius. Default 0.003. */
  thicknessM?: number;
  /** Solver substeps per second (XPBD "small steps": many substeps, few iterations). Default 600. */
  substepRateHz?: number;
  /** Constraint iterations per substep. Default 1. */
  iterations?: number;
  /** XPBD compliance of the structural and shear edges, m/N (0 = inextensible). Default 0. */
  stretchCompliance?: number;
  /** XPBD compliance of the skip-one bending edges, m/N. Default 0.05: a floppy towel that piles up rather than springs open. */
  bendCompliance?: number;
  /** Linear velocity damping, 1/s (air drag and internal losses). Default 1.5. */
  dampingPerS?: number;
  /** Coulomb friction against every collider (static and dynamic alike). Default 0.6. */
  friction?: number;
  /** Gravity along base -z, m/s². Default 9.81. */
  gravityMS2?: number;
  /** Long-range attachments to pinned particles (no stretch beyond the rest geodesic while held). Default true. */
  tethers?: boolean;
  /** Grasp: the fingers pinch the cloth once the opening falls below this, m. Default 0.006. */
  pinchGapM?: number;
  /** Grasp: some particle must lie within this of the tcp for a pinch to catch anything, m. Default 0.02. */
  captureRadiusM?: number;
  /** Grasp: particles up to this far beyond the fingertips (along tool z) still count as between them, m. Default 0.006. */
  beyondTipM?: number;
}

export type ResolvedClothConfig = Required<ClothConfig>;

export const DEFAULT_CLOTH_CONFIG: Readonly<ResolvedClothConfig> = Object.freeze({
  rows: 20,
  cols: 20,
  sizeM: [0.3, 0.3] as [number, number],
  massKg: 0.1,
  thicknessM: 0.003,
  substepRateHz: 600,
  iterations: 1,
  stretchCompliance: 0,
  bendCompliance: 0.05,
  dampingPerS: 1.5,
  friction: 0.6,
  gravityMS2: 9.81,
  tethers: true,
  pinchGapM: 0.006,
  captureRadiusM: 0.02,
  beyondTipM: 0.006,
});

export function resolveClothConfig(config: ClothConfig = {}): ResolvedClothConfig {
  const c: ResolvedClothConfig = { ...DEFAULT_CLOTH_CONFIG, ...config };
  const check = (ok: boolean, field: keyof ResolvedClothConfig, want: string) => {
    if (!ok) throw new Error(`Cloth config: ${field} must be ${want}, got ${String(c[field])}`);
  };
  check(Number.isInteger(c.rows) && c.rows >= 2, 'rows', 'a whole number >= 2');
  check(Number.isInteger(c.cols) && c.cols >= 2, 'cols', 'a whole number >= 2');
  check(c.sizeM.length === 2 && c.sizeM.every((s) => s > 0 && Number.isFinite(s)), 'sizeM', 'two positive lengths');
  check(c.massKg > 0 && Number.isFinite(c.massKg), 'massKg', 'positive');
  check(c.thicknessM > 0 && c.thicknessM < 0.05, 'thicknessM', 'in (0, 0.05)');
  check(c.substepRateHz >= 100 && Number.isFinite(c.substepRateHz), 'substepRateHz', '>= 100');
  check(Number.isInteger(c.iterations) && c.iterations >= 1 && c.iterations <= 50, 'iterations', 'a whole number in [1, 50]');
  check(c.stretchCompliance >= 0, 'stretchCompliance', '>= 0');
  check(c.bendCompliance >= 0, 'bendCompliance', '>= 0');
  check(c.dampingPerS >= 0, 'dampingPerS', '>= 0');
  check(c.friction >= 0, 'friction', '>= 0');
  check(Number.isFinite(c.gravityMS2), 'gravityMS2', 'finite');
  check(c.pinchGapM > 0, 'pinchGapM', 'positive');
  check(c.captureRadiusM > 0, 'captureRadiusM', 'positive');
  check(c.beyondTipM >= 0, 'beyondTipM', '>= 0');
  return c;
}
