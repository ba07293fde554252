// The operations half of the armstack.v1 protocol: fleet, cameras, monitoring, logs, recorder and episodes.
// Shared with the browser like protocol.ts (types, constants and a pure validator; no Node imports). Kept apart
// so the streaming core stays small; protocol.ts folds these unions into ServerMessage / ClientMessage.
import type { SceneBinWire, SceneObjectWire } from './protocol.js';

/** Operations streams a client can watch; none are on after connecting (they cost the server work). */
export const OPS_STREAMS = ['fleet', 'metrics', 'log', 'recorder'] as const;
export type OpsStream = (typeof OPS_STREAMS)[number];

export const EPISODE_LABELS_WIRE = ['success', 'failure'] as const;
export const OBJECT_CATEGORIES_WIRE = ['cloth', 'bag', 'cardboard', 'rigid'] as const;

// ---- binary frames (server -> client) --------------------------------------------------------------------

/** First 4 bytes of every binary frame: "ASF1" (armstack frame, layout 1). */
export const FRAME_MAGIC = [0x41, 0x53, 0x46, 0x31] as const;
/** Bytes before the JSON header: magic (4) + header length (u32 little-endian). */
export const FRAME_PREFIX_BYTES = 8;
export const MAX_FRAME_HEADER_BYTES = 64 * 1024;

export interface DetectionWire {
  label: string;
  score: number;
  /** Box centre and size in image pixels of the frame it came with. */
  cx: number;
  cy: number;
  w: number;
  h: number;
}

/** The JSON header of a binary frame; the JPEG bytes follow it. */
export interface FrameHeader {
  /** live: a camera of the running robot; replay: a frame of a recorded episode. */
  kind: 'live' | 'replay';
  camera: string;
  /** Per camera (live) or the frame's index in the episode (replay). Acknowledge live frames with it. */
  seq: number;
  stampNs: string;
  width: number;
  height: number;
  /** What the vision model saw in this frame (live only; absent when no model runs). */
  detections?: DetectionWire[];
  /** The episode (replay only). */
  episode?: string;
}

export interface DecodedFrame {
  header: FrameHeader;
  jpeg: Uint8Array;
}

/** Splits a binary frame; undefined when it is not one of ours. Pure, so both sides (and tests) share it. */
export function decodeFrame(bytes: Uint8Array): DecodedFrame | undefined {
  if (bytes.length < FRAME_PREFIX_BYTES) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[i] !== FRAME_MAGIC[i]) return undefined;
  const len = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (len < 2 || len > MAX_FRAME_HEADER_BYTES || FRAME_PREFIX_BYTES + len > bytes.length) return undefined;
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + len))) as FrameHeader;
    return { header, jpeg: bytes.subarray(FRAME_PREFIX_BYTES + len) };
  } catch {
    return undefined;
  }
}

// ---- server -> client (JSON) -----------------------------------------------------------------------------

export interface FleetRobotWire {
  site: string;
  robot: string;
  online: boolean;
  mode: string | null;
  task: string | null;
  estop: boolean;
  holding: boolean;
  safetyReason: string | null;
  loopRateHz: number | null;
  recording: boolean;
  /** Derived and published alerts: "offline", "e-stop", "holding: …", "state stale", "loop slow", … */
  alerts: string[];
  /** Epoch ms of the newest state message; null before the first. */
  lastStateAt: number | null;
  /** The robot's own dashboard, when it publishes one; absent for robots this server shows itself. */
  dashboardUrl?: string;
  /** True for the robot whose 3D view this server serves. */
  local: boolean;
}

/** Every robot seen on the broker, sorted by site then name. Sent when something changed, at most `fleetRateHz`. */
export interface FleetMsg {
  op: 'fleet';
  robots: FleetRobotWire[];
  /** false while the server has no broker connection (the list is then the last one known). */
  connected: boolean;
}

export interface MetricsSample {
  /** Epoch ms. */
  at: number;
  /** Loop period jitter over the last window (|period - nominal|), ms. */
  jitterP50Ms: number;
  jitterP99Ms: number;
  /** Tick start to the command handed to the driver: the loop's work time, ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Newest inference time of the vision model / policy, ms; null when none runs. */
  inferenceMs: number | null;
  loopRateHz: number;
  /** Graph topic publish rates, Hz. */
  topicRates: Record<string, number>;
}

export interface MetricsMsg {
  op: 'metrics';
  sample: MetricsSample;
}

export const LOG_KINDS = ['event', 'command', 'ack', 'safety', 'voice'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export interface LogEntryWire {
  /** Server-assigned, increasing: a reconnecting client asks for what came after it. */
  id: number;
  kind: LogKind;
  /** Epoch ms. */
  at: number;
  robot: string;
  text: string;
  operator?: string;
  /** Parsed intent (voice, ack), as JSON text. */
  intent?: string;
  /** Ack status, or the event type. */
  status?: string;
  /** The command id this entry belongs to (commands, acks, voice). */
  ref?: string;
}

export interface LogMsg {
  op: 'log';
  entries: LogEntryWire[];
}

export interface CameraInfoWire {
  name: string;
  width: number;
  height: number;
  fps: number;
}

export interface CamerasMsg {
  op: 'cameras';
  cameras: CameraInfoWire[];
  /** Why there are none, e.g. "no JPEG encoder: OpenCV did not load". */
  note?: string;
}

export interface RecorderStatusWire {
  available: boolean;
  phase: 'idle' | 'recording' | 'stopping' | 'resetting' | 'unavailable';
  episodeIndex: number | null;
  elapsedS: number;
  nextEpisodeIndex: number | null;
  label: 'success' | 'failure' | null;
  notes: string;
  task: string | null;
  /** Why unavailable, or the last failure. */
  message?: string;
}

export interface RecorderStatusMsg {
  op: 'recorder_status';
  status: RecorderStatusWire;
}

export interface EpisodeSummaryWire {
  name: string;
  index: number | null;
  complete: boolean;
  durationS: number | null;
  task: string | null;
  label: string | null;
  cameras: string[];
  problems: string[];
}

export interface EpisodesMsg {
  op: 'episodes';
  episodes: EpisodeSummaryWire[];
  dir: string;
}

/** An episode ready to replay: its joint track, scene track and camera frame times. Frames come on request. */
export interface EpisodeMsg {
  op: 'episode';
  name: string;
  jointNames: string[];
  /** Seconds from the episode start, ascending; `positions[i]` belongs to `t[i]`. */
  t: number[];
  positions: number[][];
  cameras: { name: string; t: number[] }[];
  durationS: number;
  /** Set when the track was thinned to bound the message. */
  decimated: boolean;
  /** The recorded scene (objects at ≤10 Hz), when the episode has /scene; bins from its first sample. */
  scenes?: { t: number; objects: SceneObjectWire[] }[];
  bins?: SceneBinWire[];
}

export type OpsServerMessage = FleetMsg | MetricsMsg | LogMsg | CamerasMsg | RecorderStatusMsg | EpisodesMsg | EpisodeMsg;

// ---- client -> server ------------------------------------------------------------------------------------

/** Replaces the set of operations streams this client receives. */
export interface WatchMsg { op: 'watch'; streams: OpsStream[] }
/** Replaces the set of live cameras this client receives (binary frames). */
export interface CameraSubscribeMsg { op: 'camera_subscribe'; cameras: string[] }
/** The client has drawn the frame with this seq; the next one may go. */
export interface CameraAckMsg { op: 'camera_ack'; camera: string; seq: number }

export interface ObjectMetadataWire { name: string; category: (typeof OBJECT_CATEGORIES_WIRE)[number] }
export interface RecorderStartMsg { op: 'recorder_start'; task?: string; object?: ObjectMetadataWire }
export interface RecorderStopMsg { op: 'recorder_stop' }
export interface RecorderDiscardMsg { op: 'recorder_discard' }
export interface RecorderRerecordMsg { op: 'recorder_rerecord' }
export interface RecorderLabelMsg { op: 'recorder_label'; label: (typeof EPISODE_LABELS_WIRE)[number]; notes?: string }
export interface EpisodesListMsg { op: 'episodes_list' }
export interface EpisodeLoadMsg { op: 'episode_load'; name: string }
/** Asks for the episode's frame of `camera` nearest `timeS`; it comes as a binary frame of kind replay. */
export interface EpisodeFrameMsg { op: 'episode_frame'; name: string; camera: string; timeS: number }

export type OpsClientMessage =
  | WatchMsg | CameraSubscribeMsg | CameraAckMsg
  | RecorderStartMsg | RecorderStopMsg | RecorderDiscardMsg | RecorderRerecordMsg | RecorderLabelMsg
  | EpisodesListMsg | EpisodeLoadMsg | EpisodeFrameMsg;

export const OPS_CLIENT_OPS = [
  'watch', 'camera_subscribe', 'camera_ack', 'recorder_start', 'recorder_stop', 'recorder_discard',
  'recorder_rerecord', 'recorder_label', 'episodes_list', 'episode_load', 'episode_frame',
] as const;

export type OpsParseResult = { ok: true; msg: OpsClientMessage } | { ok: false; error: string };

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_TEXT = 1000;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 40) ?? kind(value);
}

class Invalid extends Error {}

function fields(obj: Record<string, unknown>, op: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const key of Object.keys(obj)) {
    if (key !== 'op' && !required.includes(key) && !optional.includes(key)) throw new Invalid(`${op}: unknown field '${key}'`);
  }
  for (const key of required) if (obj[key] === undefined) throw new Invalid(`${op}.${key} is required`);
}

function name(value: unknown, where: string): string {
  if (typeof value !== 'string' || !NAME_RE.test(value)) throw new Invalid(`${where} must match ${NAME_RE.source}, got ${show(value)}`);
  return value;
}

function text(value: unknown, where: string, max = MAX_TEXT): string {
  if (typeof value !== 'string') throw new Invalid(`${where} must be a string, got ${kind(value)}`);
  if (value.length > max) throw new Invalid(`${where} is longer than ${max} characters`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Invalid(`${where} must be one of ${allowed.join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

function names(value: unknown, where: string, max: number): string[] {
  if (!Array.isArray(value)) throw new Invalid(`${where} must be an array, got ${kind(value)}`);
  if (value.length > max) throw new Invalid(`${where} has more than ${max} entries`);
  return [...new Set(value.map((v, i) => name(v, `${where}[${i}]`)))];
}

function parseOps(value: Record<string, unknown>, op: string): OpsClientMessage | undefined {
  switch (op) {
    case 'watch': {
      fields(value, op, ['streams']);
      const streams = value.streams;
      if (!Array.isArray(streams)) throw new Invalid(`watch.streams must be an array, got ${kind(streams)}`);
      if (streams.length > OPS_STREAMS.length * 4) throw new Invalid('watch.streams is too long');
      return { op, streams: [...new Set(streams.map((s, i) => oneOf(s, OPS_STREAMS, `watch.streams[${i}]`)))] };
    }
    case 'camera_subscribe':
      fields(value, op, ['cameras']);
      return { op, cameras: names(value.cameras, 'camera_subscribe.cameras', 16) };
    case 'camera_ack': {
      fields(value, op, ['camera', 'seq']);
      const seq = value.seq;
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new Invalid(`camera_ack.seq must be a non-negative integer, got ${show(seq)}`);
      return { op, camera: name(value.camera, 'camera_ack.camera'), seq };
    }
    case 'recorder_start': {
      fields(value, op, [], ['task', 'object']);
      const msg: RecorderStartMsg = { op };
      if (value.task !== undefined) msg.task = text(value.task, 'recorder_start.task', 200);
      if (value.object !== undefined) {
        const o = value.object;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Invalid(`recorder_start.object must be an object, got ${kind(o)}`);
        const obj = o as Record<string, unknown>;
        fields(obj, 'recorder_start.object', ['name', 'category']);
        const objectName = text(obj.name, 'recorder_start.object.name', 200);
        if (!objectName.trim()) throw new Invalid('recorder_start.object.name must not be empty');
        msg.object = { name: objectName, category: oneOf(obj.category, OBJECT_CATEGORIES_WIRE, 'recorder_start.object.category') };
      }
      return msg;
    }
    case 'recorder_stop':
    case 'recorder_discard':
    case 'recorder_rerecord':
    case 'episodes_list':
      fields(value, op, []);
      return { op };
    case 'recorder_label': {
      fields(value, op, ['label'], ['notes']);
      const msg: RecorderLabelMsg = { op, label: oneOf(value.label, EPISODE_LABELS_WIRE, 'recorder_label.label') };
      if (value.notes !== undefined) msg.notes = text(value.notes, 'recorder_label.notes');
      return msg;
    }
    case 'episode_load':
      fields(value, op, ['name']);
      return { op, name: name(value.name, 'episode_load.name') };
    case 'episode_frame': {
      fields(value, op, ['name', 'camera', 'timeS']);
      const t = value.timeS;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new Invalid(`episode_frame.timeS must be a finite number >= 0, got ${show(t)}`);
      return { op, name: name(value.name, 'episode_frame.name'), camera: name(value.camera, 'episode_frame.camera'), timeS: t };
    }
    default:
      return undefined;
  }
}

/**
 * Validates an operations op; undefined when `op` is not one of them (the caller reports unknown ops). Never
 * throws; the error names the field at fault.
 */
export function validateOpsMessage(value: Record<string, unknown>, op: string): OpsParseResult | undefined {
  try {
    const msg = parseOps(value, op);
    return msg ? { ok: true, msg } : undefined;
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.message };
    return { ok: false, error: `${op}: ${(err as Error)?.message ?? 'invalid'}` };
  }
}
