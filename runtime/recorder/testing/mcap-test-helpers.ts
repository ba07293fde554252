// Test support for the recorder (never imported by run-time code): sample messages with non-ASCII names, a small
// episode, and a reader that decodes a file back through @mcap/core's McapIndexedReader and our CDR codec.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IReadable } from '@mcap/core';
import { McapIndexedReader } from '@mcap/core';
import { createCdrCodec } from '../../messages/cdr/index.js';
import type { CompressedImage, DiagnosticArray, JointState } from '../../messages/index.js';
import { decompressHandlers, loadCompression } from '../compression.js';
import type { McapEpisodeWriter } from '../mcap-episode-writer.js';

export const JOINT_NAMES = ['épaule', '肘', '🦾wrist', 'pince'];

export function jointState(i: number, stampNs: bigint): JointState {
  return {
    header: { stamp: { sec: Number(stampNs / 1_000_000_000n), nanosec: Number(stampNs % 1_000_000_000n) }, frame_id: `${i}` },
    name: JOINT_NAMES,
    position: new Float64Array([i * 0.001, -i * 0.002, Math.sin(i), 0.5]),
    velocity: [0.1, 0.2, 0.3, 0.4],
    effort: [],
  };
}

export function compressedImage(i: number, stampNs: bigint): CompressedImage {
  return {
    header: { stamp: { sec: Number(stampNs / 1_000_000_000n), nanosec: Number(stampNs % 1_000_000_000n) }, frame_id: 'caméra_poignet' },
    format: 'jpeg',
    data: Uint8Array.from({ length: 300 + (i % 7) }, (_, k) => (k * 31 + i) & 0xff),
  };
}

export function diagnostics(i: number, stampNs: bigint): DiagnosticArray {
  return {
    header: { stamp: { sec: Number(stampNs / 1_000_000_000n), nanosec: Number(stampNs % 1_000_000_000n) }, frame_id: '' },
    status: [{
      level: i % 3, name: 'épaule: moteur', message: '温度 ok', hardware_id: '🦾-7',
      values: [{ key: 'température', value: `${40 + (i % 5)} °C` }],
    }],
  };
}

/** Writes a small deterministic episode: 40 joint states, 8 images, 4 diagnostics, 2 metadata records. */
export function writeSmallEpisode(writer: McapEpisodeWriter): Array<{ topic: string; logTime: bigint; msg: object }> {
  const joints = writer.addChannel('/joint_states', 'sensor_msgs/msg/JointState');
  const camera = writer.addChannel('/wrist/image_raw/compressed', 'sensor_msgs/msg/CompressedImage');
  const diag = writer.addChannel('/diagnostics', 'diagnostic_msgs/msg/DiagnosticArray');
  writer.writeMetadata('episode', { task: 'plier la serviette', operator: 'Zoë' });
  const written: Array<{ topic: string; logTime: bigint; msg: object }> = [];
  const t0 = 1_700_000_000_000_000_000n;
  for (let i = 0; i < 40; i++) {
    const t = t0 + BigInt(i) * 5_000_000n;
    const js = jointState(i, t);
    writer.write(joints, t, t, js);
    written.push({ topic: '/joint_states', logTime: t, msg: js });
    if (i % 5 === 0) {
      const img = compressedImage(i, t);
      writer.write(camera, t, t, img);
      written.push({ topic: '/wrist/image_raw/compressed', logTime: t, msg: img });
    }
    if (i % 10 === 0) {
      const d = diagnostics(i, t);
      writer.write(diag, t, t, d);
      written.push({ topic: '/diagnostics', logTime: t, msg: d });
    }
  }
  writer.writeMetadata('robot', { arm: 'armstack-6dof', 'joint 肘': 'elbow' });
  return written;
}

export interface ReadBackMessage {
  topic: string;
  schemaName: string;
  logTime: bigint;
  publishTime: bigint;
  sequence: number;
  msg: Record<string, unknown>;
}

/** Every message of an indexed MCAP in log-time order, decoded with our codec by schema name. */
export async function readBack(readable: IReadable): Promise<{ reader: McapIndexedReader; messages: ReadBackMessage[] }> {
  await loadCompression();
  const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers: decompressHandlers() });
  const messages: ReadBackMessage[] = [];
  for await (const m of reader.readMessages()) {
    const channel = reader.channelsById.get(m.channelId)!;
    const schema = reader.schemasById.get(channel.schemaId)!;
    messages.push({
      topic: channel.topic, schemaName: schema.name, logTime: m.logTime, publishTime: m.publishTime,
      sequence: m.sequence, msg: createCdrCodec(schema.name).read(m.data),
    });
  }
  return { reader, messages };
}

export function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-recorder-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}
