// Configs of the safety pieces: documented defaults, TypeBox schemas (for launch files) and validation that names
// the field. Joint limits are not configured here: they come from the URDF only.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { validateOrThrow } from '../config/validate.js';
import { UserError } from '../errors.js';

const Vec3Schema = Type.Object(
  { x: Type.Number(), y: Type.Number(), z: Type.Number() },
  { additionalProperties: false },
);

export const WorkspaceBoxSchema = Type.Object(
  { min: Vec3Schema, max: Vec3Schema },
  { additionalProperties: false, description: 'Axis-aligned box for the tool centre point, base frame, metres' },
);
export type WorkspaceBox = Static<typeof WorkspaceBoxSchema>;

export const SafetyFilterConfigSchema = Type.Object(
  {
    maxStepFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    maxStepRad: Type.Number({ exclusiveMinimum: 0, maximum: 6.3 }),
    gripperMaxStepFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    outOfRangeTolerance: Type.Number({ minimum: 0, maximum: 6.3 }),
    gripperOutOfRangeTolerance: Type.Number({ minimum: 0, maximum: 1 }),
    maxDtS: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    velocityScale: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    accelerationScale: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    workspace: Type.Union([WorkspaceBoxSchema, Type.Null()]),
  },
  { additionalProperties: false },
);

export interface SafetyFilterConfig extends Static<typeof SafetyFilterConfigSchema> {
  /**
   * Largest distance of an arm-joint command from the MEASURED position, as a fraction of the joint's travel
   * (upper − lower), capped by maxStepRad. Protects against a command far from where the arm really is (a lagging or
   * blocked arm, a stale policy).
   */
  maxStepFraction: number;
  /** Cap on that step for every arm joint, and the step of joints without position limits (continuous), rad. */
  maxStepRad: number;
  /** The same for the gripper. 1 (its whole travel): blocked fingers are the normal state while grasping. */
  gripperMaxStepFraction: number;
  /**
   * A command further than this outside a joint's [lower, upper] (rad, or m for the gripper) is not a target
   * that a limit can trim but garbage (a diverged policy, a unit mix-up): it is rejected, not clamped, so the arm
   * does not creep toward the limit it names.
   */
  outOfRangeTolerance: number;
  /** The same for the gripper, m. */
  gripperOutOfRangeTolerance: number;
  /** dtS is capped here, so a stalled loop does not license a long jump on its next tick. Seconds. */
  maxDtS: number;
  /** Speed override in (0, 1]: scales every URDF velocity limit. */
  velocityScale: number;
  /** Scales every acceleration limit, in (0, 1]. */
  accelerationScale: number;
  /** Where the tool may go; null disables the check (it also needs a Kinematics). */
  workspace: WorkspaceBox | null;
}

/** A 0.85 m arm with its base on a table at z = 0: the tool stays 5 mm above the table and within reach. */
export const DEFAULT_WORKSPACE: WorkspaceBox = Object.freeze({
  min: Object.freeze({ x: -0.85, y: -0.85, z: 0.005 }),
  max: Object.freeze({ x: 0.85, y: 0.85, z: 1.2 }),
});

export const DEFAULT_SAFETY_FILTER_CONFIG: Readonly<SafetyFilterConfig> = Object.freeze({
  maxStepFraction: 0.1,
  maxStepRad: 0.5,
  gripperMaxStepFraction: 1,
  outOfRangeTolerance: 0.1,
  gripperOutOfRangeTolerance: 0.01,
  maxDtS: 0.1,
  velocityScale: 1,
  accelerationScale: 1,
  workspace: DEFAULT_WORKSPACE,
});

export const CommandWatchdogConfigSchema = Type.Object(
  {
    timeoutMs: Type.Number({ exclusiveMinimum: 0, maximum: 60_000 }),
    maxConsecutiveOverruns: Type.Integer({ minimum: 1, maximum: 1000 }),
    checkPeriodMs: Type.Number({ exclusiveMinimum: 0, maximum: 60_000 }),
  },
  { additionalProperties: false },
);

export interface CommandWatchdogConfig extends Static<typeof CommandWatchdogConfigSchema> {
  /** Hold when no fresh command arrived for this long (MoveIt Servo's incoming_command_timeout is 0.1 s). */
  timeoutMs: number;
  /** Hold after this many loop overruns in a row. */
  maxConsecutiveOverruns: number;
  /** How often the timer checks; a hold comes at most timeoutMs + checkPeriodMs after the last command. */
  checkPeriodMs: number;
}

export const DEFAULT_COMMAND_WATCHDOG_CONFIG: Readonly<CommandWatchdogConfig> = Object.freeze({
  timeoutMs: 100,
  maxConsecutiveOverruns: 3,
  checkPeriodMs: 25,
});

export const SafetyDiagnosticsConfigSchema = Type.Object(
  {
    minIntervalMs: Type.Number({ minimum: 0, maximum: 3_600_000 }),
    hardwareId: Type.String(),
  },
  { additionalProperties: false },
);

export interface SafetyDiagnosticsConfig extends Static<typeof SafetyDiagnosticsConfigSchema> {
  /** At most one status per rule this often; clamps in between are counted and reported together. */
  minIntervalMs: number;
  /** DiagnosticStatus.hardware_id: the arm's name. */
  hardwareId: string;
}

export const DEFAULT_SAFETY_DIAGNOSTICS_CONFIG: Readonly<SafetyDiagnosticsConfig> = Object.freeze({
  minIntervalMs: 1000,
  hardwareId: 'arm',
});

function merge<S extends TSchema, C extends object>(schema: S, defaults: C, partial: Partial<C>, source: string): C {
  const given = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const merged = { ...defaults, ...given } as C;
  validateOrThrow(schema, merged, source);
  // JSON Schema has no notion of NaN; it passes "type: number" in some checks.
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new UserError(`${source}: ${key} must be a finite number, got ${value}`);
    }
  }
  return merged;
}

export function resolveSafetyFilterConfig(
  partial: Partial<SafetyFilterConfig> = {},
  source = 'SafetyFilterConfig',
): SafetyFilterConfig {
  const config = merge(SafetyFilterConfigSchema, DEFAULT_SAFETY_FILTER_CONFIG, partial, source);
  const box = config.workspace;
  if (box) {
    for (const axis of ['x', 'y', 'z'] as const) {
      const lo = box.min[axis];
      const hi = box.max[axis];
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
        throw new UserError(`${source}: workspace.min.${axis} must be finite and below workspace.max.${axis} (got ${lo} and ${hi})`);
      }
    }
  }
  return config;
}

export function resolveCommandWatchdogConfig(
  partial: Partial<CommandWatchdogConfig> = {},
  source = 'CommandWatchdogConfig',
): CommandWatchdogConfig {
  // The check period follows the timeout unless given: a quarter of it, as MoveIt Servo's own checks.
  const withPeriod = { ...partial, checkPeriodMs: partial.checkPeriodMs ?? (partial.timeoutMs ?? DEFAULT_COMMAND_WATCHDOG_CONFIG.timeoutMs) / 4 };
  return merge(CommandWatchdogConfigSchema, DEFAULT_COMMAND_WATCHDOG_CONFIG, withPeriod, source);
}

export function resolveSafetyDiagnosticsConfig(
  partial: Partial<SafetyDiagnosticsConfig> = {},
  source = 'SafetyDiagnosticsConfig',
): SafetyDiagnosticsConfig {
  return merge(SafetyDiagnosticsConfigSchema, DEFAULT_SAFETY_DIAGNOSTICS_CONFIG, partial, source);
}
