// What an episode recorder is told: its own settings (time limit, reset period, image format, queues, disk guard)
// and each episode's metadata (task, operator, object, label). Both are TypeBox schemas checked where they enter
// (CLI, launch file, MQTT intent, dashboard), with errors naming the field.
import { Type, type Static } from '@sinclair/typebox';
import { validateOrThrow } from '../config/validate.js';
import { UserError } from '../errors.js';

const MIB = 1024 * 1024;

/** A string union that Ajv reports as "must be one of ..." (a union of literals reports "must be equal to constant"). */
function stringEnum<const T extends readonly string[]>(values: T, options: { default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const StreamRoleSchema = stringEnum(['state', 'action', 'gripper', 'wrench', 'events', 'other'] as const);
export type StreamRole = Static<typeof StreamRoleSchema>;

/** A graph topic the recorder subscribes to; `role` tells the LeRobot export which is the state and the action. */
export const TopicStreamSchema = Type.Object(
  {
    topic: Type.String({ minLength: 2, pattern: '^/' }),
    type: Type.String({ minLength: 3 }),
    role: StreamRoleSchema,
  },
  { additionalProperties: false },
);
export type TopicStreamConfig = Static<typeof TopicStreamSchema>;

export const DEFAULT_TOPICS: readonly TopicStreamConfig[] = Object.freeze([
  { topic: '/joint_states', type: 'sensor_msgs/msg/JointState', role: 'state' },
  { topic: '/arm_controller/joint_trajectory', type: 'trajectory_msgs/msg/JointTrajectory', role: 'action' },
]);

export const RecorderConfigSchema = Type.Object(
  {
    outputDir: Type.String({ minLength: 1 }),
    /** Longest episode (LeRobot's episode_time_s); it then stops by itself, complete. */
    episodeTimeS: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 3600, default: 60 }),
    /** Pause after each episode for the operator to reset the scene (LeRobot's reset_time_s). */
    resetTimeS: Type.Number({ minimum: 0, maximum: 3600, default: 10 }),
    imageFormat: stringEnum(['jpeg', 'raw'] as const, { default: 'jpeg' }),
    jpegQuality: Type.Integer({ minimum: 1, maximum: 100, default: 85 }),
    /**
     * Frames of one camera waiting for or in the encoder; a frame that finds them all busy is dropped (counted).
     * On a starved machine (2 cores, load 11, a browser at nice -8) the whole process, encoder threads included,
     * stalled for up to 1.8 s; the frames of the stall then arrive at once. 48 frames (1.6 s at 30 fps) ride that
     * out; 16 are allocated up front (15 MB per 640x480 camera) and the rest only when a backlog forms (44 MB).
     */
    encodeQueueDepth: Type.Integer({ minimum: 1, maximum: 256, default: 48 }),
    /** Stop the episode (incomplete, `disk_low`) when free space falls below this or 2x the last 10 s of data. */
    minFreeBytes: Type.Integer({ minimum: 0, default: 256 * MIB }),
    diskCheckIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
    /** Warn when a camera delivers fewer than this fraction of its nominal rate over rateWindowS. */
    rateWarnFraction: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
    rateWindowS: Type.Number({ minimum: 0.1, maximum: 60, default: 2 }),
    /** A camera silent this long (or 3 frame periods, whichever is longer) has a gap. */
    gapThresholdS: Type.Number({ minimum: 0.01, maximum: 60, default: 0.25 }),
    /** How often gaps, rates and the time limit are checked on the wall clock (0: only when data arrives). */
    monitorIntervalMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 100 }),
    chunkCompression: stringEnum(['zstd', ''] as const, { default: 'zstd' }),
    zstdLevel: Type.Integer({ minimum: 1, maximum: 19, default: 1 }),
    topics: Type.Array(TopicStreamSchema, { default: DEFAULT_TOPICS.map((t) => ({ ...t })) }),
    /** Operator commands and recorder events (std_msgs/String, one JSON object each). */
    eventsTopic: Type.String({ minLength: 2, pattern: '^/', default: '/recorder/events' }),
  },
  { additionalProperties: false },
);
export type RecorderConfig = Static<typeof RecorderConfigSchema>;
export type RecorderConfigInput = Partial<RecorderConfig> & { outputDir: string };

/** Validates and fills defaults (in a copy); a bad field is a UserError naming `source` and the field. */
export function parseRecorderConfig(input: unknown, source = 'recorder config'): RecorderConfig {
  const copy = structuredClone(input) as Record<string, unknown>;
  return validateOrThrow(RecorderConfigSchema, copy, source);
}

export const OBJECT_CATEGORIES = ['cloth', 'bag', 'cardboard', 'rigid'] as const;
export const ObjectCategorySchema = stringEnum(OBJECT_CATEGORIES);
export type ObjectCategory = Static<typeof ObjectCategorySchema>;

export const ObjectMetadataSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: ObjectCategorySchema,
    material: Type.Optional(Type.String({ maxLength: 200 })),
    /** Approximate extents (x, y, z), m; for cloth the flat size. */
    approxSizeM: Type.Optional(Type.Array(Type.Number({ minimum: 0, maximum: 10 }), { minItems: 1, maxItems: 3 })),
    massKg: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type ObjectMetadata = Static<typeof ObjectMetadataSchema>;

export const EPISODE_LABELS = ['success', 'failure'] as const;
export const EpisodeLabelSchema = stringEnum(EPISODE_LABELS);
export type EpisodeLabel = Static<typeof EpisodeLabelSchema>;

export const EpisodeMetadataSchema = Type.Object(
  {
    task: Type.String({ minLength: 1, maxLength: 2000 }),
    operator: Type.String({ minLength: 1, maxLength: 200 }),
    object: ObjectMetadataSchema,
    /** May be set before stop, or after it until the next start. */
    label: Type.Optional(EpisodeLabelSchema),
    notes: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** Free-form extras (robot, site, seed), kept as strings. */
    extra: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type EpisodeMetadata = Static<typeof EpisodeMetadataSchema>;

export function parseEpisodeMetadata(input: unknown, source = 'episode metadata'): EpisodeMetadata {
  return validateOrThrow(EpisodeMetadataSchema, structuredClone(input), source);
}

export function parseEpisodeLabel(input: unknown, source = 'episode label'): EpisodeLabel {
  if (typeof input === 'string' && (EPISODE_LABELS as readonly string[]).includes(input)) return input as EpisodeLabel;
  throw new UserError(`${source}: must be one of ${EPISODE_LABELS.map((l) => JSON.stringify(l)).join(', ')}, got ${JSON.stringify(input)}`);
}
