// Writes one demonstration episode as a ROS 2 MCAP file that `ros2 bag` (MCAP storage plugin) and Foxglove open:
// profile `ros2`, schemas `ros2msg` (rosbag2's schema text), messages `cdr` from our byte-exact codec, zstd chunks.
// Crash safety comes from McapChunkedWriter and FileAppendable: chunks close within chunkMaxAgeMs, each lands in
// the OS with one write, and fdatasync follows at most every syncIntervalMs; recoverMcap salvages the rest.
import type { Statistics } from '@mcap/core';
import type { CdrCodec } from '../messages/cdr/index.js';
import { cdrCodecFor } from '../messages/cdr/index.js';
import type { KnownMessageType } from '../messages/index.js';
import { fullTypeName, ros2msgSchema } from '../messages/index.js';
import type { IAppendable } from './appendable.js';
import type { ChunkCompression } from './compression.js';
import { loadCompression } from './compression.js';
import { FileAppendable } from './file-appendable.js';
import { McapChunkedWriter } from './mcap-chunked-writer.js';

export const RECORDER_LIBRARY = 'armstack-recorder';

export interface McapEpisodeWriterOptions {
  /** Default zstd. */
  compression?: ChunkCompression;
  zstdLevel?: number;
  /** Uncompressed bytes after which a chunk closes. Default 1 MiB. */
  chunkMaxBytes?: number;
  /** Age after which a chunk closes, even with no new messages. Default 500 ms. */
  chunkMaxAgeMs?: number;
  /** Least time between fdatasyncs of the file (file sinks only). Default 500 ms. */
  syncIntervalMs?: number;
  /** Replace an existing file at the path. Default false: an existing file is an error. */
  overwrite?: boolean;
  /** Clock for chunk ages and syncs; performance.now by default. */
  nowMs?: () => number;
  /** Run a timer that closes idle chunks; default true. Tests with a fake clock call flushIfDue() instead. */
  flushTimer?: boolean;
}

/** What close() reports. */
export interface McapEpisodeSummary {
  messageCount: bigint;
  chunkCount: number;
  startTimeNs: bigint;
  endTimeNs: bigint;
  bytes: number;
}

interface ChannelEntry {
  readonly codec: CdrCodec<Record<string, unknown>>;
  sequence: number;
}

export class McapEpisodeWriter {
  readonly #sink: IAppendable;
  readonly #mcap: McapChunkedWriter;
  readonly #schemaIds = new Map<string, number>();
  readonly #channels = new Map<number, ChannelEntry>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #nextChannelId = 0;
  #scratch = new Uint8Array(64 * 1024);
  #closed = false;
  #failure: Error | undefined;

  /** Writes onto `sink`; use create() for a file. Call `await loadCompression()` first when using zstd. */
  constructor(sink: IAppendable, options: McapEpisodeWriterOptions = {}) {
    this.#sink = sink;
    this.#mcap = new McapChunkedWriter({
      sink,
      profile: 'ros2',
      library: RECORDER_LIBRARY,
      compression: options.compression,
      zstdLevel: options.zstdLevel,
      chunkMaxBytes: options.chunkMaxBytes,
      chunkMaxAgeMs: options.chunkMaxAgeMs,
      nowMs: options.nowMs,
    });
    if (options.flushTimer !== false) {
      // A quarter of the chunk age: a quiet topic's last messages reach the file within 1.25 x chunkMaxAgeMs.
      this.#timer = setInterval(() => {
        // A timer callback must not throw (it would crash the process): keep the failure for the next call.
        try {
          this.flushIfDue();
        } catch (e) {
          this.#failure ??= e as Error;
        }
      }, Math.min(1000, Math.max(10, (options.chunkMaxAgeMs ?? 500) / 4)));
      this.#timer.unref();
    }
  }

  /** Creates `path` (refusing to replace a file unless `overwrite`) and starts the episode. */
  static async create(path: string, options: McapEpisodeWriterOptions = {}): Promise<McapEpisodeWriter> {
    if ((options.compression ?? 'zstd') === 'zstd') await loadCompression();
    const sink = FileAppendable.create(path, {
      overwrite: options.overwrite, syncIntervalMs: options.syncIntervalMs, nowMs: options.nowMs,
    });
    return new McapEpisodeWriter(sink, options);
  }

  /**
   * Adds a topic of a registry type and returns its channel id. `metadata` is the channel's user data; the ROS 2
   * profile's `offered_qos_profiles` defaults to '' (rosbag2 then plays back with default QoS).
   */
  addChannel(topic: string, typeName: KnownMessageType | string, metadata: Record<string, string> = {}): number {
    this.#checkOpen('addChannel');
    const name = fullTypeName(typeName);
    const codec = cdrCodecFor(name);
    let schemaId = this.#schemaIds.get(name);
    if (schemaId === undefined) {
      schemaId = this.#schemaIds.size + 1;
      this.#mcap.addSchema({
        id: schemaId, name, encoding: 'ros2msg', data: new TextEncoder().encode(ros2msgSchema(name)),
      });
      this.#schemaIds.set(name, schemaId);
    }
    const id = this.#nextChannelId++;
    this.#mcap.addChannel({
      id, schemaId, topic, messageEncoding: 'cdr',
      metadata: new Map(Object.entries({ offered_qos_profiles: '', ...metadata })),
    });
    this.#channels.set(id, { codec, sequence: 0 });
    return id;
  }

  /** Encodes `msg` as CDR and adds it to the open chunk. Throws a CdrError naming the field when `msg` is wrong. */
  write(channelId: number, logTimeNs: bigint, publishTimeNs: bigint, msg: object): void {
    const channel = this.#channel('write', channelId);
    // The chunk builder copies the bytes, so one scratch buffer serves every message; it grows when one did not fit.
    const data = channel.codec.write(msg as Record<string, unknown>, this.#scratch);
    if (data.buffer !== this.#scratch.buffer) {
      this.#scratch = new Uint8Array(Math.max(data.byteLength, this.#scratch.byteLength * 2));
    }
    this.#add(channelId, channel, logTimeNs, publishTimeNs, data);
  }

  /** Adds an already CDR-encoded message (encapsulation header included), e.g. from the rclnodejs backend. */
  writeRaw(channelId: number, logTimeNs: bigint, publishTimeNs: bigint, cdr: Uint8Array): void {
    this.#add(channelId, this.#channel('writeRaw', channelId), logTimeNs, publishTimeNs, cdr);
  }

  /** A metadata record (episode info, operator, robot): goes to the file at once, outside chunks. */
  writeMetadata(name: string, metadata: Record<string, string>): void {
    this.#checkOpen('writeMetadata');
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new TypeError(`McapEpisodeWriter#writeMetadata: ${name}.${key} must be a string, got ${typeof value}`);
      }
    }
    this.#mcap.addMetadata({ name, metadata: new Map(Object.entries(metadata)) });
  }

  /** Closes the open chunk if it is old enough. The built-in timer calls this; so can a test with a fake clock. */
  flushIfDue(): void {
    if (!this.#closed) this.#mcap.flushIfDue();
  }

  /** Closes the open chunk now. */
  flush(): void {
    if (!this.#closed) this.#mcap.flushChunk();
  }

  get statistics(): Readonly<Statistics> {
    return this.#mcap.statistics;
  }

  /** Writes the summary and footer, syncs and closes the file. */
  async close(): Promise<McapEpisodeSummary> {
    this.#checkOpen('close');
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#mcap.end();
    const bytes = this.#sink.position();
    await this.#sink.close();
    const s = this.#mcap.statistics;
    return {
      messageCount: s.messageCount, chunkCount: s.chunkCount, startTimeNs: s.messageStartTime,
      endTimeNs: s.messageEndTime, bytes,
    };
  }

  #add(channelId: number, channel: ChannelEntry, logTimeNs: bigint, publishTimeNs: bigint, data: Uint8Array): void {
    if (typeof logTimeNs !== 'bigint' || typeof publishTimeNs !== 'bigint') {
      throw new TypeError(`McapEpisodeWriter#write: channel ${channelId}: logTimeNs and publishTimeNs must be bigint`);
    }
    this.#mcap.addMessage({ channelId, sequence: channel.sequence, logTime: logTimeNs, publishTime: publishTimeNs, data });
    channel.sequence = (channel.sequence + 1) >>> 0;
  }

  #channel(method: string, channelId: number): ChannelEntry {
    this.#checkOpen(method);
    const channel = this.#channels.get(channelId);
    if (channel === undefined) throw new Error(`McapEpisodeWriter#${method}: unknown channel ${channelId}`);
    return channel;
  }

  #checkOpen(method: string): void {
    if (this.#closed) throw new Error(`McapEpisodeWriter#${method}: the episode is closed`);
    if (this.#failure !== undefined) {
      throw new Error(`McapEpisodeWriter#${method}: an earlier background flush failed: ${this.#failure.message}`);
    }
  }
}
