// The pick-and-place expert's knobs, with their defaults and the checks that keep a plan inside the safety
// filter's margins.

export interface PickPlaceExpertConfig {
  /** Control rate: step() is called this often. Default 30 Hz. */
  controlRateHz?: number;
  /** Fraction of each joint's velocity limit a plan may use; at most 0.8 (the safety filter's margin). Default 0.5. */
  speedFraction?: number;
  /** Fraction of each joint's acceleration limit a plan may use, at most 1. Default 0.5. */
  accelFraction?: number;
  /** Tcp height above the box top before descending, m. Default 0.08. */
  approachHeightM?: number;
  /** Tcp height (base frame) while carrying and between boxes, m. Default 0.28. */
  carryHeightM?: number;
  /** Gap between the carried box's bottom and the bin's rim when letting go, m. Default 0.03. */
  releaseClearanceM?: number;
  /** Fingertips stay at least this far above the box's bottom, m. Default 0.005. */
  fingertipClearanceM?: number;
  /** The fingertips are this far beyond the tcp along tool Z, m. Default 0.01 (arm6.urdf). */
  fingertipBeyondTcpM?: number;
  /** Close to this much narrower than the box, so the fingers squeeze, m per finger. Default 0.005. */
  squeezeM?: number;
  /** Measured arm joints must be this close to the command before the gripper closes or opens, rad. Default 0.003. */
  settleToleranceRad?: number;
  /** Stop waiting to settle (or for the fingers to stop) after this long and go on, s. Default 3. */
  settleTimeoutS?: number;
  /** Extra attempts per box after a missed grasp, a drop, or a box let go outside a bin. Default 2. */
  maxRetries?: number;
  /** Bin number for a box (its index among the scene's boxes, its id, the number of bins). Default (index mod bins) + 1. */
  binFor?: (boxIndex: number, id: string, binCount: number) => number;
  /** Home tcp position (top-down, tool yaw 0), m. Default [0.4, 0, 0.3]. */
  homeXyzM?: [number, number, number];
}

export type ResolvedPickPlaceConfig = Required<Omit<PickPlaceExpertConfig, 'binFor'>> & Pick<PickPlaceExpertConfig, 'binFor'>;

export const DEFAULT_PICK_PLACE_CONFIG: Readonly<Required<Omit<PickPlaceExpertConfig, 'binFor'>>> = Object.freeze({
  controlRateHz: 30,
  speedFraction: 0.5,
  accelFraction: 0.5,
  approachHeightM: 0.08,
  carryHeightM: 0.28,
  releaseClearanceM: 0.03,
  fingertipClearanceM: 0.005,
  fingertipBeyondTcpM: 0.01,
  squeezeM: 0.005,
  settleToleranceRad: 0.003,
  settleTimeoutS: 3,
  maxRetries: 2,
  homeXyzM: [0.4, 0, 0.3] as [number, number, number],
});

/** Defaults filled in and ranges checked; errors name the field. */
export function resolvePickPlaceConfig(config: PickPlaceExpertConfig = {}): ResolvedPickPlaceConfig {
  const c: ResolvedPickPlaceConfig = { ...DEFAULT_PICK_PLACE_CONFIG, ...config };
  const check = (ok: boolean, field: string, want: string) => {
    if (!ok) throw new Error(`PickPlaceExpert config: ${field} must be ${want}, got ${String(c[field as keyof ResolvedPickPlaceConfig])}`);
  };
  check(c.controlRateHz > 0 && Number.isFinite(c.controlRateHz), 'controlRateHz', 'a positive number');
  check(c.speedFraction > 0 && c.speedFraction <= 0.8, 'speedFraction', 'in (0, 0.8]');
  check(c.accelFraction > 0 && c.accelFraction <= 1, 'accelFraction', 'in (0, 1]');
  check(c.approachHeightM > 0, 'approachHeightM', 'positive');
  check(c.carryHeightM > 0, 'carryHeightM', 'positive');
  check(c.releaseClearanceM >= 0, 'releaseClearanceM', '>= 0');
  check(c.squeezeM >= 0, 'squeezeM', '>= 0');
  check(c.settleToleranceRad > 0, 'settleToleranceRad', 'positive');
  check(c.settleTimeoutS > 0, 'settleTimeoutS', 'positive');
  check(Number.isInteger(c.maxRetries) && c.maxRetries >= 0, 'maxRetries', 'a whole number >= 0');
  check(c.homeXyzM.length === 3 && c.homeXyzM.every(Number.isFinite), 'homeXyzM', 'three finite numbers');
  return c;
}
