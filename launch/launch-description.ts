// The YAML launch description: which components run and how they are configured. Parsed and validated where it
// enters, with errors naming the file, the field and the line.
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { UserError } from '../runtime/errors.js';
import { validateOrThrow } from '../runtime/config/validate.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const LaunchDescriptionSchema = Type.Object(
  {
    version: Type.Literal(1),
    name: Type.String({ minLength: 1 }),
    robot: Type.Object(
      {
        name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$', default: 'arm1' }),
        urdf: Type.String({ minLength: 1, default: 'runtime/robot/description/arm6.urdf' }),
      },
      { additionalProperties: false, default: {} },
    ),
    graph: Type.Object(
      { backend: Type.Union([Type.Literal('inproc'), Type.Literal('ros2')], { default: 'inproc' }) },
      { additionalProperties: false, default: {} },
    ),
    sim: Type.Object(
      {
        seed: Type.Integer({ minimum: 0, default: 1 }),
        boxes: Type.Integer({ minimum: 1, maximum: 8, default: 4 }),
        servoRateHz: Type.Number({ minimum: 500, maximum: 10000, default: 1000 }),
        /** A towel (sim/cloth) on the table: a SceneObject of kind 'cloth' in /scene and on the dashboard. */
        cloth: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    loop: Type.Object(
      { rateHz: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 30 }) },
      { additionalProperties: false, default: {} },
    ),
    policy: Type.Object(
      {
        /** scripted: the IK expert; onnx: `file` from the overhead camera through the inference worker. */
        kind: Type.Unsafe<'scripted' | 'onnx'>({ type: 'string', enum: ['scripted', 'onnx'], default: 'scripted' }),
        /** The ONNX policy (policies/contract.ts), relative to the package root; --policy overrides. */
        file: Type.String({ minLength: 1, default: 'policies/assets/pick-place-policy.onnx' }),
        /** The vision model the worker runs on each frame, relative to the package root. */
        visionModel: Type.String({ minLength: 1, default: 'perception/models/assets/object-localizer.onnx' }),
        /** onnxruntime execution providers in order of preference; each missing one is skipped with a logged reason. */
        executionProviders: Type.Array(
          Type.Unsafe<'tensorrt' | 'cuda' | 'webgpu' | 'cpu'>({ type: 'string', enum: ['tensorrt', 'cuda', 'webgpu', 'cpu'] }),
          { minItems: 1, maxItems: 4, default: ['cpu'] },
        ),
        /** ACT temporal ensembling: weight exp(−m·i) of the i-th oldest chunk's action for a tick. */
        ensembleDecay: Type.Number({ minimum: 0, maximum: 10, default: 0.01 }),
        /** Ask for a new chunk when fewer actions than this remain; default from the model (chunk − n_action_steps + 1). */
        refillThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        /** Box colours to move in order; empty: every box. --targets overrides. */
        targets: Type.Array(Type.String({ pattern: '^[a-z]+$' }), { maxItems: 64, default: [] }),
      },
      { additionalProperties: false, default: {} },
    ),
    safety: Type.Object(
      {
        watchdogTimeoutMs: Type.Number({ minimum: 10, maximum: 5000, default: 100 }),
        maxConsecutiveOverruns: Type.Integer({ minimum: 1, default: 3 }),
      },
      { additionalProperties: false, default: {} },
    ),
    dashboard: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Optional(Port),
        stateRateHz: Type.Number({ exclusiveMinimum: 0, maximum: 120, default: 30 }),
        /** Dashboard logins last this long (users from bridge.usersFile). */
        sessionHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30, default: 12 }),
        /** Origins besides the dashboard's own allowed to open its WebSocket, e.g. 'https://ops.example:443'. */
        allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { maxItems: 32, default: [] }),
        /** Live camera panels: frames per second per camera (0: off), rendered only while someone watches. */
        cameraFps: Type.Number({ minimum: 0, maximum: 30, default: 10 }),
        cameras: Type.Array(Type.Union([Type.Literal('overhead'), Type.Literal('wrist')]), { uniqueItems: true, maxItems: 2, default: ['overhead', 'wrist'] }),
        /** Draw the vision model's detections over the overhead camera. */
        detections: Type.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
    bridge: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Run aedes in-process; false: connect to `url`. */
        embedded: Type.Boolean({ default: true }),
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
        url: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?)://' })),
        site: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'site1' }),
        usersFile: Type.String({ minLength: 1, default: 'launch/users.dev.yaml' }),
        /** While no operator command runs, the scripted expert keeps working. */
        autonomous: Type.Boolean({ default: true }),
        stateRateHz: Type.Number({ exclusiveMinimum: 0, maximum: 20, default: 2 }),
      },
      { additionalProperties: false, default: {} },
    ),
    recorder: Type.Object(
      {
        /** Episodes driven by the MQTT intents record_start, record_stop and label (needs the bridge). */
        enabled: Type.Boolean({ default: true }),
        /** Relative to the working directory. */
        outDir: Type.String({ minLength: 1, default: 'recordings' }),
        cameras: Type.Array(Type.Union([Type.Literal('overhead'), Type.Literal('wrist')]), { uniqueItems: true, maxItems: 2, default: ['overhead', 'wrist'] }),
        /** The sim renders on the main thread (10-20 ms a frame), beside the 30 Hz loop: 10 fps per camera fits. */
        cameraFps: Type.Number({ exclusiveMinimum: 0, maximum: 60, default: 10 }),
        /** auto: JPEG when OpenCV loads, else raw sensor_msgs/Image. */
        imageFormat: Type.Union([Type.Literal('auto'), Type.Literal('jpeg'), Type.Literal('raw')], { default: 'auto' }),
        jpegQuality: Type.Integer({ minimum: 1, maximum: 100, default: 85 }),
        episodeTimeS: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 3600, default: 60 }),
        resetTimeS: Type.Number({ minimum: 0, maximum: 3600, default: 10 }),
        minFreeBytes: Type.Integer({ minimum: 0, default: 256 * 1024 * 1024 }),
        /** The episode's task text (the intents carry none). */
        task: Type.String({ minLength: 1, maxLength: 2000, default: 'demonstration' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type LaunchDescription = Static<typeof LaunchDescriptionSchema>;

export function parseLaunchDescription(text: string, source: string): LaunchDescription {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
    throw new UserError(`${source}: invalid YAML${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`${source}: a launch description must be a YAML mapping (version, name, robot, sim, ...)`);
  }
  const locate = (path: string): number | undefined => {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      // A missing or unknown key: point at its parent's key instead.
    }
    return undefined;
  };
  return validateOrThrow(LaunchDescriptionSchema, value, source, locate);
}

export function loadLaunchDescription(path: string): LaunchDescription {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read launch description ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseLaunchDescription(text, path);
}
