// The vocabulary shared by the filter, the diagnostics and the loop: rule codes, verdicts and clamp events.
// Rules are bit flags so that a verdict can say "velocity and step both fired" without allocating an array.
import type { JointCommand } from '../hardware/arm-driver.js';

export const SAFETY_RULES = [
  'nan',
  'malformed',
  'position_limit',
  'velocity_limit',
  'acceleration_limit',
  'max_step',
  'workspace',
  'gripper_limit',
  'estop',
  'out_of_range',
] as const;

/**
 * - `nan`: NaN/Inf in the command or the measured state (reject).
 * - `malformed`: wrong vector length or an unusable dtS (reject).
 * - `position_limit`: outside [lower, upper], or moving so fast it could not brake before a limit.
 * - `velocity_limit`, `acceleration_limit`: the step from the last safe command, and its change.
 * - `max_step`: too far from the measured position (clamp), or unreachable without breaking another limit (reject).
 * - `workspace`: the tool would leave the Cartesian box (reject).
 * - `gripper_limit`: any of the above on the gripper joint.
 * - `estop`: the e-stop latch is engaged (estopped).
 * - `out_of_range`: further outside a joint's limits than `outOfRangeTolerance` (reject).
 */
export type SafetyRule = (typeof SAFETY_RULES)[number];

/**
 * `pass`: unchanged; `clamped`: changed to fit the limits, write it; `reject`: do not move, hold the arm;
 * `estopped`: the e-stop latch is engaged, hold the arm.
 */
export type SafetyAction = 'pass' | 'clamped' | 'reject' | 'estopped';

const BITS: Readonly<Record<SafetyRule, number>> = Object.freeze(
  Object.fromEntries(SAFETY_RULES.map((rule, i) => [rule, 1 << i])) as Record<SafetyRule, number>,
);

export function ruleBit(rule: SafetyRule): number {
  return BITS[rule];
}

/** Expands a bit set into rule names (allocates: for logs and tests, not for the tick). */
export function rulesOf(mask: number): SafetyRule[] {
  return SAFETY_RULES.filter((rule) => (mask & BITS[rule]) !== 0);
}

/** One object per filter, overwritten by every apply(): read it before the next tick, copy what you keep. */
export class SafetyVerdict {
  action: SafetyAction = 'pass';
  /** Bit set of the rules that fired (see ruleBit). */
  rules = 0;
  /**
   * The command to write when `writable`. On reject/estopped it holds the last safe command (or the measured
   * position if there was none yet), for callers that re-send it instead of calling hold().
   */
  readonly command: JointCommand;

  constructor(dof: number) {
    this.command = { stampNs: 0n, positions: new Float64Array(dof) };
  }

  /** True for pass and clamped: the command may go to the driver. */
  get writable(): boolean {
    return this.action === 'pass' || this.action === 'clamped';
  }

  has(rule: SafetyRule): boolean {
    return (this.rules & BITS[rule]) !== 0;
  }

  rulesList(): SafetyRule[] {
    return rulesOf(this.rules);
  }
}

/**
 * One rule firing, LeRobot style: what was asked and what was let through. The filter reuses a single event
 * object; a sink that keeps events must copy them.
 */
export interface SafetyEvent {
  rule: SafetyRule;
  action: SafetyAction;
  /** Stamp of the command concerned. */
  stampNs: bigint;
  /** Index into commandJointNames; -1 when the rule is not about one joint (workspace, estop, malformed). */
  jointIndex: number;
  /** Joint name, `tool.x|y|z` for the workspace, `command` otherwise. */
  subject: string;
  /** The requested value (rad, m; the tool coordinate for the workspace; NaN when there is none). */
  original: number;
  /** The value let through: the written position, or the box edge for the workspace. */
  safe: number;
}

export type SafetyEventSink = (event: SafetyEvent) => void;
