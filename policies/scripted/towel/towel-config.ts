// The towel expert's knobs, with their defaults and the checks that keep a plan inside the safety filter's
// margins. Errors name the field.
import type { SceneObject } from '../../../runtime/messages/index.js';

export interface TowelExpertConfig {
  /** Control rate: step() is called this often. Default 30 Hz. */
  controlRateHz?: number;
  /** Fraction of each joint's velocity limit a plan may use; at most 0.8 (the safety filter's margin). Default 0.5. */
  speedFraction?: number;
  /** Fraction of each joint's acceleration limit a plan may use, at most 1. Default 0.5. */
  accelFraction?: number;
  /** Speed fraction while lowering the hanging towel into the bin (slower, so it piles up instead of tipping out). Default 0.3. */
  lowerSpeedFraction?: number;
  /** SceneObject id of the towel. Default 'towel'. */
  towelId?: string;
  /** Bin number the towel goes to. Default 1. */
  bin?: number;
  /** The particle grid the expert is given: rows × cols, row-major (corners 0, cols-1, (rows-1)·cols, rows·cols-1). Default 20 × 20. */
  rows?: number;
  cols?: number;
  /** Tcp height above the corner before descending, m. Default 0.08. */
  approachHeightM?: number;
  /** The tcp goes this far in from the corner along the towel's diagonal, so the corner lies between the pads, m. Default 0.008. */
  graspInsetM?: number;
  /** Fingertips stop this far above the corner particle, m. Default 0.002. */
  fingertipClearanceM?: number;
  /** The fingertips are this far beyond the tcp along tool Z, m. Default 0.01 (arm6.urdf). */
  fingertipBeyondTcpM?: number;
  /** Table top height, m. Default 0. */
  tableTopZM?: number;
  /** The hanging towel's lowest point stays this far above the table and the bin's rim while carried, m. Default 0.04. */
  hangClearanceM?: number;
  /** Highest tcp height the expert will lift to, m. Default 0.6. */
  maxCarryHeightM?: number;
  /** Let go with the tcp this high above the bin's base: low, so the towel is laid in rather than dropped, m. Default 0.05. */
  releaseAboveBaseM?: number;
  /** Above the bin, wait for the swing to die out: the towel's centroid within this of the tcp (horizontally), m. Default 0.02. */
  swingToleranceM?: number;
  /** ... and moving slower than this, m/s. Default 0.03. */
  swingSpeedMS?: number;
  /** Measured arm joints must be this close to the command before the gripper closes or opens, rad. Default 0.003. */
  settleToleranceRad?: number;
  /** Stop waiting (to settle, for the fingers, for the swing) after this long and go on, s. Default 3. */
  settleTimeoutS?: number;
  /** Extra attempts after a missed grasp, a drop, or a towel let go outside the bin. Default 2. */
  maxRetries?: number;
  /** Home tcp position (top-down, tool yaw 0), m. Default [0.4, 0, 0.3]. */
  homeXyzM?: [number, number, number];
  /** Did it work? Asked once the towel has been let go. Default: the towel rests in `bin` and is not held. */
  success?: (towel: SceneObject, particles: ArrayLike<number>) => boolean;
}

export type ResolvedTowelConfig = Required<Omit<TowelExpertConfig, 'success'>> & Pick<TowelExpertConfig, 'success'>;

export const DEFAULT_TOWEL_CONFIG: Readonly<Required<Omit<TowelExpertConfig, 'success'>>> = Object.freeze({
  controlRateHz: 30,
  speedFraction: 0.5,
  accelFraction: 0.5,
  lowerSpeedFraction: 0.3,
  towelId: 'towel',
  bin: 1,
  rows: 20,
  cols: 20,
  approachHeightM: 0.08,
  graspInsetM: 0.008,
  fingertipClearanceM: 0.002,
  fingertipBeyondTcpM: 0.01,
  tableTopZM: 0,
  hangClearanceM: 0.04,
  maxCarryHeightM: 0.6,
  releaseAboveBaseM: 0.05,
  swingToleranceM: 0.02,
  swingSpeedMS: 0.03,
  settleToleranceRad: 0.003,
  settleTimeoutS: 3,
  maxRetries: 2,
  homeXyzM: [0.4, 0, 0.3] as [number, number, number],
});

export function resolveTowelConfig(config: TowelExpertConfig = {}): ResolvedTowelConfig {
  const c: ResolvedTowelConfig = { ...DEFAULT_TOWEL_CONFIG, ...config };
  const check = (ok: boolean, field: Exclude<keyof ResolvedTowelConfig, 'success'>, want: string) => {
    if (!ok) throw new Error(`TowelExpert config: ${field} must be ${want}, got ${String(c[field])}`);
  };
  check(c.controlRateHz > 0 && Number.isFinite(c.controlRateHz), 'controlRateHz', 'a positive number');
  check(c.speedFraction > 0 && c.speedFraction <= 0.8, 'speedFraction', 'in (0, 0.8]');
  check(c.accelFraction > 0 && c.accelFraction <= 1, 'accelFraction', 'in (0, 1]');
  check(c.lowerSpeedFraction > 0 && c.lowerSpeedFraction <= 0.8, 'lowerSpeedFraction', 'in (0, 0.8]');
  check(Number.isInteger(c.bin) && c.bin >= 1, 'bin', 'a bin number >= 1');
  check(Number.isInteger(c.rows) && c.rows >= 2, 'rows', 'a whole number >= 2');
  check(Number.isInteger(c.cols) && c.cols >= 2, 'cols', 'a whole number >= 2');
  check(c.approachHeightM > 0, 'approachHeightM', 'positive');
  check(c.graspInsetM >= 0, 'graspInsetM', '>= 0');
  check(c.hangClearanceM >= 0, 'hangClearanceM', '>= 0');
  check(c.maxCarryHeightM > 0, 'maxCarryHeightM', 'positive');
  check(c.releaseAboveBaseM > 0, 'releaseAboveBaseM', 'positive');
  check(c.swingToleranceM > 0, 'swingToleranceM', 'positive');
  check(c.swingSpeedMS > 0, 'swingSpeedMS', 'positive');
  check(c.settleToleranceRad > 0, 'settleToleranceRad', 'positive');
  check(c.settleTimeoutS > 0, 'settleTimeoutS', 'positive');
  check(Number.isInteger(c.maxRetries) && c.maxRetries >= 0, 'maxRetries', 'a whole number >= 0');
  check(c.homeXyzM.length === 3 && c.homeXyzM.every(Number.isFinite), 'homeXyzM', 'three finite numbers');
  return c;
}
