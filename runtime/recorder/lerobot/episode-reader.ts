// Reads a recorded episode back for export: the state and action series (small, held in memory), each camera's
// frame stamps and size, and the metadata records; camera frames themselves are streamed one at a time.
// Roles come from the channels' `armstack_role` metadata, or from the standard topic names for files recorded
// elsewhere. Every problem with the file is a UserError naming it.
import { McapIndexedReader } from '@mcap/core';
import { UserError } from '../../errors.js';
import { cdrCodecFor } from '../../messages/cdr/index.js';
import { decompressHandlers, loadCompression } from '../compression.js';
import { FileReadable } from '../file-readable.js';

export interface VectorSeries {
  topic: string;
  names: string[];
  stampsNs: bigint[];
  values: Float32Array[];
}

export interface CameraTrack {
  /** `overhead` for `/overhead/image_raw/compressed`. */
  name: string;
  topic: string;
  kind: 'jpeg' | 'raw';
  /** How frames go to ffmpeg. */
  pixelFormat: 'jpeg' | 'rgb24' | 'bgr24';
  nominalHz: number | undefined;
  width: number;
  height: number;
  stampsNs: bigint[];
}

export interface EpisodeTimeline {
  path: string;
  state: VectorSeries | undefined;
  action: VectorSeries | undefined;
  cameras: CameraTrack[];
  metadata: Map<string, Record<string, string>>;
}

export interface CameraFrame {
  stampNs: bigint;
  /** JPEG bytes, or packed rgb24/bgr24 rows for raw images. */
  data: Uint8Array;
  pixelFormat: 'jpeg' | 'rgb24' | 'bgr24';
}

type Reader = McapIndexedReader;

async function openReader<T>(path: string, fn: (reader: Reader) => Promise<T>): Promise<T> {
  let file: FileReadable;
  try {
    file = FileReadable.open(path);
  } catch (e) {
    throw new UserError(`readEpisode: cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    await loadCompression();
    let reader: Reader;
    try {
      reader = await McapIndexedReader.Initialize({ readable: file, decompressHandlers: decompressHandlers() });
    } catch (e) {
      throw new UserError(`readEpisode: ${path} is not a complete MCAP (${(e as Error).message}); recover it with \`armstack recover\``);
    }
    try {
      return await fn(reader);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`readEpisode: ${path} is corrupt: ${(e as Error).message}`);
    }
  } finally {
    file.close();
  }
}

function roleOf(topic: string, schema: string, metadata: Map<string, string>): string | undefined {
  const role = metadata.get('armstack_role');
  if (role) return role;
  if (topic === '/joint_states' && schema === 'sensor_msgs/msg/JointState') return 'state';
  if (topic === '/arm_controller/joint_trajectory') return 'action';
  if (schema === 'sensor_msgs/msg/CompressedImage' || schema === 'sensor_msgs/msg/Image') return 'camera';
  return undefined;
}

function cameraName(topic: string, metadata: Map<string, string>): string {
  return metadata.get('camera') ?? topic.replace(/^\//, '').replace(/\/image_raw(\/compressed)?$/, '').replace(/\//g, '_');
}

/** Reads everything but the pixels. */
export function readEpisodeTimeline(path: string): Promise<EpisodeTimeline> {
  return openReader(path, async (reader) => {
    const byChannel = new Map<number, { role: string; schema: string; topic: string }>();
    const timeline: EpisodeTimeline = { path, state: undefined, action: undefined, cameras: [], metadata: new Map() };
    const cameras = new Map<number, CameraTrack>();
    for (const [id, ch] of reader.channelsById) {
      const schema = reader.schemasById.get(ch.schemaId)?.name ?? '';
      const role = roleOf(ch.topic, schema, ch.metadata);
      if (!role) continue;
      byChannel.set(id, { role, schema, topic: ch.topic });
      if (role === 'camera') {
        cameras.set(id, {
          name: cameraName(ch.topic, ch.metadata), topic: ch.topic,
          kind: schema === 'sensor_msgs/msg/Image' ? 'raw' : 'jpeg',
          pixelFormat: schema === 'sensor_msgs/msg/Image' ? (ch.metadata.get('encoding') === 'bgr8' ? 'bgr24' : 'rgb24') : 'jpeg',
          nominalHz: ch.metadata.has('nominal_hz') ? Number(ch.metadata.get('nominal_hz')) : undefined,
          width: Number(ch.metadata.get('width') ?? 0), height: Number(ch.metadata.get('height') ?? 0), stampsNs: [],
        });
      }
    }
    const topics = [...byChannel.values()].filter((c) => c.role === 'state' || c.role === 'action' || c.role === 'camera').map((c) => c.topic);
    for await (const m of reader.readMessages({ topics })) {
      const ch = byChannel.get(m.channelId)!;
      if (ch.role === 'camera') {
        const cam = cameras.get(m.channelId)!;
        if (cam.stampsNs.length === 0) {
          // The first frame tells the size (and a raw image its encoding) when the channel metadata does not.
          const msg = cdrCodecFor(ch.schema).read(m.data) as { width?: number; height?: number; encoding?: string; data: Uint8Array };
          if (cam.kind === 'raw') {
            [cam.width, cam.height] = [msg.width!, msg.height!];
            cam.pixelFormat = msg.encoding === 'bgr8' ? 'bgr24' : 'rgb24';
          } else if (cam.width === 0 || cam.height === 0) {
            const size = jpegSize(msg.data);
            if (size) [cam.width, cam.height] = size;
          }
        }
        cam.stampsNs.push(m.logTime);
        continue;
      }
      const msg = cdrCodecFor(ch.schema).read(m.data) as Record<string, unknown>;
      const sample = vectorOf(msg);
      if (!sample) continue;
      const key = ch.role as 'state' | 'action';
      const series = (timeline[key] ??= { topic: ch.topic, names: sample.names, stampsNs: [], values: [] });
      if (series.topic !== ch.topic) continue;
      series.stampsNs.push(m.logTime);
      series.values.push(sample.values);
    }
    timeline.cameras = [...cameras.values()].filter((c) => c.stampsNs.length > 0).sort((a, b) => a.name.localeCompare(b.name));
    for await (const record of reader.readMetadata()) timeline.metadata.set(record.name, Object.fromEntries(record.metadata));
    return timeline;
  });
}

/** Streams one camera's frames in log-time order; the file closes when the iteration ends, early or not. */
export async function* readCameraFrames(path: string, topic: string): AsyncGenerator<CameraFrame> {
  let file: FileReadable;
  try {
    file = FileReadable.open(path);
  } catch (e) {
    throw new UserError(`readCameraFrames: cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    await loadCompression();
    const reader = await McapIndexedReader.Initialize({ readable: file, decompressHandlers: decompressHandlers() }).catch((e: Error) => {
      throw new UserError(`readCameraFrames: ${path} is not a complete MCAP (${e.message})`);
    });
    const ch = [...reader.channelsById.values()].find((c) => c.topic === topic);
    if (!ch) throw new UserError(`readCameraFrames: ${path} has no topic ${topic}`);
    const schema = reader.schemasById.get(ch.schemaId)?.name ?? '';
    const codec = cdrCodecFor(schema);
    for await (const m of reader.readMessages({ topics: [topic] })) {
      yield toFrame(m.logTime, schema, codec.read(m.data) as Record<string, unknown>);
    }
  } finally {
    file.close();
  }
}

function toFrame(stampNs: bigint, schema: string, msg: Record<string, unknown>): CameraFrame {
  if (schema === 'sensor_msgs/msg/CompressedImage') return { stampNs, data: msg.data as Uint8Array, pixelFormat: 'jpeg' };
  const width = msg.width as number, height = msg.height as number, step = msg.step as number;
  const data = msg.data as Uint8Array;
  const encoding = msg.encoding as string;
  if (encoding !== 'rgb8' && encoding !== 'bgr8') throw new UserError(`readCameraFrames: image encoding "${encoding}" is not supported (rgb8, bgr8)`);
  let packed = data;
  if (step !== width * 3) {
    packed = new Uint8Array(width * height * 3);
    for (let r = 0; r < height; r++) packed.set(data.subarray(r * step, r * step + width * 3), r * width * 3);
  }
  return { stampNs, data: packed, pixelFormat: encoding === 'rgb8' ? 'rgb24' : 'bgr24' };
}

function vectorOf(msg: Record<string, unknown>): { names: string[]; values: Float32Array } | undefined {
  if (Array.isArray(msg.points)) {
    const point = (msg.points as Array<{ positions: ArrayLike<number> }>)[0];
    return point ? { names: msg.joint_names as string[], values: Float32Array.from(point.positions) } : undefined;
  }
  if (msg.position !== undefined) return { names: msg.name as string[], values: Float32Array.from(msg.position as ArrayLike<number>) };
  return undefined;
}

/** Width and height from a JPEG's SOF marker. */
export function jpegSize(jpeg: Uint8Array): [number, number] | undefined {
  let i = 2;
  while (i + 9 < jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined;
    const marker = jpeg[i + 1];
    const len = (jpeg[i + 2] << 8) | jpeg[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]];
    }
    i += 2 + len;
  }
  return undefined;
}
