// The dashboard's wire protocol: JSON text frames, each a discriminated union on `op` (as foxglove
// ws-protocol). This module is shared knowledge between the server and the browser client, so it imports
// nothing from Node and holds only types, constants and a pure validator. See PROTOCOL.md.
import { CONTROL_OPS, isControlOp, validateControlMessage, type ControlClientMessage, type ControlServerMessage } from './control-protocol.js';
import { OPS_CLIENT_OPS, validateOpsMessage, type OpsClientMessage, type OpsServerMessage } from './ops-protocol.js';
import { describe, isRecord } from './wire-checks.js';

/** Sent as the WebSocket subprotocol and in `hello.version`; bump on any incompatible change. */
export const ARMSTACK_WS_PROTOCOL = 'armstack.v1';

/** Graph topics a client can subscribe to: /joint_states streams as `joint_states`, /scene as `scene`. */
export const TOPIC_NAMES = ['/joint_states', '/scene'] as const;
export type TopicName = (typeof TOPIC_NAMES)[number];

/** Bound on one client frame, in bytes: client messages are tiny, anything larger is a mistake. */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

export interface Vec3Wire { x: number; y: number; z: number }
export interface QuatWire { x: number; y: number; z: number; w: number }
export interface PoseWire { position: Vec3Wire; orientation: QuatWire }

export interface SceneObjectWire {
  id: string;
  /** 'box' or 'cloth' today; a client draws unknown kinds as boxes. */
  kind: string;
  /** CSS colour name or hex, e.g. 'red'. */
  color: string;
  /** Full extents in metres. */
  size: Vec3Wire;
  /** Centre of the object, in the base frame (z up, table top at z = 0). */
  pose: PoseWire;
  held: boolean;
  /** Number of the bin the object rests in; 0 = none. */
  in_bin: number;
}

export interface SceneBinWire {
  /** Bins are numbered from 1. */
  number: number;
  /** Centre of the bin's outer box, in the base frame. */
  pose: PoseWire;
  size: Vec3Wire;
}

// ---- server -> client ----------------------------------------------------------------------------------

export interface HelloMsg {
  op: 'hello';
  version: typeof ARMSTACK_WS_PROTOCOL;
  robot: string;
  /** Relative to the page, so the dashboard also works behind a path prefix. */
  urdfUrl: string;
  /** Order of `joint_states.position`; may be empty until the first joint state, then `joint_names` follows. */
  jointNames: string[];
  topics: TopicName[];
  maxRateHz: number;
}

/** The joint order changed (first joint state, or a joint appeared); later `joint_states` use it. */
export interface JointNamesMsg {
  op: 'joint_names';
  jointNames: string[];
}

export interface JointStatesMsg {
  op: 'joint_states';
  /** Stamp of the source message in nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  stampNs: string;
  /** Radians or metres, in the order of the latest `hello.jointNames` / `joint_names`. */
  position: number[];
}

export interface SceneMsg {
  op: 'scene';
  stampNs: string;
  objects: SceneObjectWire[];
  bins: SceneBinWire[];
}

export type StatusLevel = 'info' | 'warn' | 'error';

export interface StatusMsg {
  op: 'status';
  level: StatusLevel;
  message: string;
}

export interface PongMsg {
  op: 'pong';
  /** Echo of `ping.id`, when the ping carried one. */
  id?: number;
}

export type ServerMessage = HelloMsg | JointNamesMsg | JointStatesMsg | SceneMsg | StatusMsg | PongMsg | ControlServerMessage | OpsServerMessage;

// ---- client -> server ----------------------------------------------------------------------------------

/** Replaces the set of topics this client receives (every topic is on after connecting). */
export interface SubscribeMsg {
  op: 'subscribe';
  topics: TopicName[];
}

export interface PingMsg {
  op: 'ping';
  id?: number;
}

export type ClientMessage = SubscribeMsg | PingMsg | ControlClientMessage | OpsClientMessage;

export type ParseResult = { ok: true; msg: ClientMessage } | { ok: false; error: string };

const CLIENT_OPS = ['subscribe', 'ping', ...CONTROL_OPS, ...OPS_CLIENT_OPS] as const;


function checkNoExtraFields(obj: Record<string, unknown>, allowed: readonly string[], op: string): string | undefined {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) return `${op}: unknown field '${key}'`;
  }
  return undefined;
}

/** Validates an already-parsed JSON value. Never throws; the error names the field at fault. */
export function validateClientMessage(value: unknown): ParseResult {
  if (!isRecord(value)) return { ok: false, error: `message must be a JSON object, got ${describe(value)}` };
  const op = value.op;
  if (typeof op !== 'string') return { ok: false, error: `message.op must be a string, got ${describe(op)}` };
  switch (op) {
    case 'subscribe': {
      const extra = checkNoExtraFields(value, ['op', 'topics'], op);
      if (extra) return { ok: false, error: extra };
      const topics = value.topics;
      if (!Array.isArray(topics)) return { ok: false, error: `subscribe.topics must be an array, got ${describe(topics)}` };
      if (topics.length > TOPIC_NAMES.length * 4) return { ok: false, error: 'subscribe.topics is too long' };
      for (let i = 0; i < topics.length; i++) {
        const s: unknown = topics[i];
        if (typeof s !== 'string' || !(TOPIC_NAMES as readonly string[]).includes(s)) {
          return {
            ok: false,
            error: `subscribe.topics[${i}] must be one of ${TOPIC_NAMES.join(', ')}, got ${JSON.stringify(s)?.slice(0, 40) ?? describe(s)}`,
          };
        }
      }
      return { ok: true, msg: { op, topics: [...new Set(topics as TopicName[])] } };
    }
    case 'ping': {
      const extra = checkNoExtraFields(value, ['op', 'id'], op);
      if (extra) return { ok: false, error: extra };
      const id = value.id;
      if (id === undefined) return { ok: true, msg: { op } };
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
        return { ok: false, error: `ping.id must be a safe integer, got ${describe(id)}` };
      }
      return { ok: true, msg: { op, id } };
    }
    default:
      if (isControlOp(op)) return validateControlMessage(value, op);
      {
        const ops = validateOpsMessage(value, op);
        if (ops) return ops;
      }
      return { ok: false, error: `unknown op '${op.slice(0, 40)}' (expected one of ${CLIENT_OPS.join(', ')})` };
  }
}

/** Parses one text frame. Never throws. */
export function parseClientMessage(text: string): ParseResult {
  if (text.length > MAX_CLIENT_MESSAGE_BYTES) {
    return { ok: false, error: `message too large: ${text.length} bytes > ${MAX_CLIENT_MESSAGE_BYTES}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `message is not valid JSON: ${(err as Error).message.slice(0, 100)}` };
  }
  return validateClientMessage(value);
}

/** Converts ROS time to the wire's decimal nanoseconds string without losing precision. */
export function stampToNs(stamp: { sec: number; nanosec: number }): string {
  if (!Number.isFinite(stamp.sec) || !Number.isFinite(stamp.nanosec)) return '0';
  return (BigInt(Math.trunc(stamp.sec)) * 1_000_000_000n + BigInt(Math.trunc(stamp.nanosec))).toString();
}
