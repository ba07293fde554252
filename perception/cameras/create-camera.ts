// One factory for every camera kind a launch file can name. The sim camera lives in sim/ and perception must not
// import it, so the launcher passes a factory for it (deps.sim).
import { Type, type Static } from '@sinclair/typebox';
import { validateOrThrow } from '../../runtime/config/validate.js';
import { UserError } from '../../runtime/errors.js';
import type { GraphNode } from '../../runtime/graph/index.js';
import type { Clock } from '../../runtime/loop/clock.js';
import type { Camera } from './camera.js';
import { OpenCvCamera, type CameraStatusEvent } from './opencv-camera.js';
import { TopicCamera } from './topic-camera.js';

const common = {
  name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', description: 'Topic-safe: frames go to /<name>/image_raw' }),
  width: Type.Integer({ minimum: 1, maximum: 8192, default: 640 }),
  height: Type.Integer({ minimum: 1, maximum: 8192, default: 480 }),
  fps: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 30 }),
};
const Encoding = Type.Union([Type.Literal('rgb8'), Type.Literal('bgr8')], { default: 'rgb8' });

export const OpenCvCameraConfigSchema = Type.Object({
  type: Type.Literal('opencv'),
  ...common,
  source: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], {
    description: 'V4L2 index or /dev/videoN, a GStreamer pipeline ending in appsink, or a video file',
  }),
  loop: Type.Optional(Type.Boolean()),
  encoding: Type.Optional(Encoding),
  realtime: Type.Optional(Type.Boolean()),
  reconnectInitialDelayMs: Type.Optional(Type.Number({ minimum: 1 })),
  reconnectMaxDelayMs: Type.Optional(Type.Number({ minimum: 1 })),
}, { additionalProperties: false });

export const TopicCameraConfigSchema = Type.Object({
  type: Type.Literal('topic'),
  ...common,
  encoding: Type.Optional(Encoding),
  compressed: Type.Optional(Type.Boolean()),
  topic: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });

export const SimCameraConfigSchema = Type.Object({
  type: Type.Literal('sim'),
  ...common,
  /** Which of the sim's cameras, e.g. 'overhead' or 'wrist'; the sim factory interprets it. */
  view: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });

export const CameraConfigSchema = Type.Union([OpenCvCameraConfigSchema, TopicCameraConfigSchema, SimCameraConfigSchema]);

export type OpenCvCameraEntry = Static<typeof OpenCvCameraConfigSchema>;
export type TopicCameraEntry = Static<typeof TopicCameraConfigSchema>;
export type SimCameraConfig = Static<typeof SimCameraConfigSchema>;
export type CameraConfig = Static<typeof CameraConfigSchema>;

export interface CreateCameraDeps {
  /** Needed by 'topic' cameras. */
  node?: GraphNode;
  /** Stamps frames (the stack's clock). */
  clock?: Pick<Clock, 'nowNs'>;
  /** Builds a 'sim' camera; supplied by the launcher, which owns the sim world. */
  sim?: (config: SimCameraConfig) => Camera;
  onStatus?: (event: CameraStatusEvent) => void;
  onMalformed?: (reason: string, count: number) => void;
}

/** Validates a camera entry from a launch file (defaults filled in); errors name `source` and the field. */
export function parseCameraConfig(value: unknown, source = 'camera config'): CameraConfig {
  // Pick the branch by `type` first, so a typo in a field reports that field, not "matches no union member".
  const type = (value as { type?: unknown } | null)?.type;
  const schema = type === 'opencv' ? OpenCvCameraConfigSchema : type === 'topic' ? TopicCameraConfigSchema
    : type === 'sim' ? SimCameraConfigSchema : undefined;
  if (!schema) throw new UserError(`${source}: type must be one of "opencv", "sim", "topic", got ${JSON.stringify(type)}`);
  return validateOrThrow(schema, value, source) as CameraConfig;
}

export function createCamera(config: CameraConfig, deps: CreateCameraDeps = {}): Camera {
  switch (config.type) {
    case 'opencv': {
      const { type: _, ...rest } = config;
      return new OpenCvCamera(rest, { clock: deps.clock, onStatus: deps.onStatus });
    }
    case 'topic': {
      if (!deps.node) throw new Error(`createCamera: topic camera '${config.name}' needs deps.node (a graph node to subscribe on)`);
      const { type: _, ...rest } = config;
      return new TopicCamera(rest, { node: deps.node, clock: deps.clock, onMalformed: deps.onMalformed });
    }
    case 'sim': {
      if (!deps.sim) throw new Error(`createCamera: sim camera '${config.name}' needs deps.sim (the launcher's sim camera factory)`);
      const camera = deps.sim(config);
      const { width, height } = camera.info;
      if (width !== config.width || height !== config.height) {
        throw new Error(`createCamera: the sim factory made camera '${config.name}' ${width}×${height}, the config says ${config.width}×${config.height}`);
      }
      return camera;
    }
    default:
      throw new UserError(`createCamera: unknown camera type ${JSON.stringify((config as { type: unknown }).type)}`);
  }
}
