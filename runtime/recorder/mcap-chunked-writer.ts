// A synchronous MCAP writer on @mcap/core's record and chunk builders, shaped for crash safety:
// - schema and channel records go to the sink the moment they are added, outside any chunk, so losing a chunk never
//   orphans the messages of later ones;
// - a chunk closes when it reaches chunkMaxBytes or is chunkMaxAgeMs old (flushIfDue, called by a timer), and is
//   appended in one write together with its message indexes, then the sink gets a checkpoint;
// - the summary (schemas, channels, statistics, metadata/chunk indexes, summary offsets) and footer come at end().
// @mcap/core's McapWriter cannot close a chunk by age and puts schemas inside chunks, hence this class.
import { crc32, crc32Final, crc32Init, crc32Update } from '@foxglove/crc';
import type {
  Attachment, AttachmentIndex, Channel, ChunkIndex, Message, Metadata, MetadataIndex, Schema, Statistics,
} from '@mcap/core';
import { McapChunkBuilder, McapRecordBuilder, Opcode } from '@mcap/core';
import type { IAppendable } from './appendable.js';
import type { ChunkCompression, ChunkCompressor } from './compression.js';
import { chunkCompressor } from './compression.js';

export interface McapChunkedWriterOptions {
  sink: IAppendable;
  /** MCAP header: `ros2` for ROS 2 recordings. */
  profile: string;
  library: string;
  /** Chunk compression; zstd needs `await loadCompression()` first. Default zstd. */
  compression?: ChunkCompression;
  zstdLevel?: number;
  /** Close a chunk once its uncompressed records reach this size. Default 1 MiB. */
  chunkMaxBytes?: number;
  /** Close a chunk once its first message is this old (checked on write and by flushIfDue). Default 500 ms. */
  chunkMaxAgeMs?: number;
  /** Clock for chunk ages; performance.now by default. */
  nowMs?: () => number;
  /**
   * Schemas whose messages are already compressed (JPEG). A chunk that is mostly such messages is stored without
   * trying zstd: the attempt never shrank one, and cost ~20 ms of the event loop per 1 MiB chunk, which is what
   * stalled the loop and dropped frames under load. Default: sensor_msgs/msg/CompressedImage.
   */
  precompressedSchemas?: readonly string[];
}

export const PRECOMPRESSED_SCHEMAS: readonly string[] = Object.freeze(['sensor_msgs/msg/CompressedImage']);

export class McapChunkedWriter {
  readonly #sink: IAppendable;
  readonly #compressor: ChunkCompressor;
  readonly #chunkMaxBytes: number;
  readonly #chunkMaxAgeMs: number;
  readonly #nowMs: () => number;
  readonly #records = new McapRecordBuilder();
  readonly #chunk = new McapChunkBuilder({ useMessageIndex: true });
  #chunkOpenedMs = 0;
  readonly #precompressedSchemas: ReadonlySet<string>;
  readonly #precompressedChannels = new Set<number>();
  /** Payload bytes of the open chunk on precompressed channels. */
  #precompressedBytes = 0;
  #dataCrc = crc32Init();
  #ended = false;
  readonly #schemas = new Map<number, Schema>();
  readonly #channels = new Map<number, Channel>();
  readonly #chunkIndexes: ChunkIndex[] = [];
  readonly #metadataIndexes: MetadataIndex[] = [];
  readonly #attachmentIndexes: AttachmentIndex[] = [];
  readonly statistics: Statistics = {
    messageCount: 0n, schemaCount: 0, channelCount: 0, attachmentCount: 0, metadataCount: 0, chunkCount: 0,
    messageStartTime: 0n, messageEndTime: 0n, channelMessageCounts: new Map(),
  };

  constructor(options: McapChunkedWriterOptions) {
    this.#sink = options.sink;
    this.#compressor = chunkCompressor(options.compression ?? 'zstd', options.zstdLevel);
    this.#chunkMaxBytes = options.chunkMaxBytes ?? 1024 * 1024;
    this.#chunkMaxAgeMs = options.chunkMaxAgeMs ?? 500;
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#precompressedSchemas = new Set(options.precompressedSchemas ?? PRECOMPRESSED_SCHEMAS);
    this.#records.writeMagic();
    this.#records.writeHeader({ profile: options.profile, library: options.library });
    this.#emitRecords();
  }

  hasSchema(id: number): boolean {
    return this.#schemas.has(id);
  }

  hasChannel(id: number): boolean {
    return this.#channels.has(id);
  }

  addSchema(schema: Schema): void {
    this.#checkOpen('addSchema');
    if (schema.id === 0 || this.#schemas.has(schema.id)) {
      throw new Error(`McapChunkedWriter#addSchema: schema id ${schema.id} is ${schema.id === 0 ? 'reserved' : 'taken'}`);
    }
    this.#schemas.set(schema.id, schema);
    this.statistics.schemaCount++;
    this.#records.writeSchema(schema);
    this.#emitRecords();
  }

  addChannel(channel: Channel): void {
    this.#checkOpen('addChannel');
    if (this.#channels.has(channel.id)) throw new Error(`McapChunkedWriter#addChannel: channel id ${channel.id} is taken`);
    if (channel.schemaId !== 0 && !this.#schemas.has(channel.schemaId)) {
      throw new Error(`McapChunkedWriter#addChannel: unknown schema ${channel.schemaId} for channel ${channel.id}`);
    }
    this.#channels.set(channel.id, channel);
    const schema = this.#schemas.get(channel.schemaId);
    if (schema && this.#precompressedSchemas.has(schema.name)) this.#precompressedChannels.add(channel.id);
    this.statistics.channelCount++;
    this.#records.writeChannel(channel);
    this.#emitRecords();
  }

  /** Buffers the message in the open chunk (copying its data); closes the chunk when it is full or old. */
  addMessage(message: Message): void {
    this.#checkOpen('addMessage');
    if (!this.#channels.has(message.channelId)) {
      throw new Error(`McapChunkedWriter#addMessage: unknown channel ${message.channelId}`);
    }
    const stats = this.statistics;
    if (stats.messageCount === 0n || message.logTime < stats.messageStartTime) stats.messageStartTime = message.logTime;
    if (stats.messageCount === 0n || message.logTime > stats.messageEndTime) stats.messageEndTime = message.logTime;
    stats.messageCount++;
    stats.channelMessageCounts.set(message.channelId, (stats.channelMessageCounts.get(message.channelId) ?? 0n) + 1n);
    const now = this.#nowMs();
    if (this.#chunk.numMessages === 0) this.#chunkOpenedMs = now;
    this.#chunk.addMessage(message);
    if (this.#precompressedChannels.has(message.channelId)) this.#precompressedBytes += message.data.byteLength;
    if (this.#chunk.byteLength >= this.#chunkMaxBytes || now - this.#chunkOpenedMs >= this.#chunkMaxAgeMs) {
      this.flushChunk();
    }
  }

  addMetadata(metadata: Metadata): void {
    this.#checkOpen('addMetadata');
    const offset = BigInt(this.#sink.position());
    const length = this.#records.writeMetadata(metadata);
    this.#metadataIndexes.push({ offset, length, name: metadata.name });
    this.statistics.metadataCount++;
    this.#emitRecords();
    this.#sink.checkpoint();
  }

  addAttachment(attachment: Attachment): void {
    this.#checkOpen('addAttachment');
    const offset = BigInt(this.#sink.position());
    const length = this.#records.writeAttachment(attachment);
    this.#attachmentIndexes.push({
      offset, length, logTime: attachment.logTime, createTime: attachment.createTime,
      dataSize: BigInt(attachment.data.byteLength), name: attachment.name, mediaType: attachment.mediaType,
    });
    this.statistics.attachmentCount++;
    this.#emitRecords();
  }

  /** Closes the open chunk if it is chunkMaxAgeMs old, and gives the sink a checkpoint. Call from a timer. */
  flushIfDue(): void {
    if (this.#ended) return;
    if (this.#chunk.numMessages > 0 && this.#nowMs() - this.#chunkOpenedMs >= this.#chunkMaxAgeMs) {
      this.flushChunk();
    } else {
      this.#sink.checkpoint();
    }
  }

  /** Writes the open chunk (if it holds messages) and its message indexes in one append. */
  flushChunk(): void {
    const chunk = this.#chunk;
    if (this.#ended || chunk.numMessages === 0) return;
    const data = chunk.buffer;
    const mostlyPrecompressed = 2 * this.#precompressedBytes >= data.byteLength;
    this.#precompressedBytes = 0;
    const compressed = mostlyPrecompressed || this.#compressor.name === '' ? data : this.#compressor.compress(data);
    // Already-compressed payloads (JPEG) do not shrink: store those chunks as they are.
    const stored = compressed.byteLength < data.byteLength;
    const chunkStartOffset = BigInt(this.#sink.position());
    const chunkLength = this.#records.writeChunk({
      messageStartTime: chunk.messageStartTime,
      messageEndTime: chunk.messageEndTime,
      uncompressedSize: BigInt(data.byteLength),
      uncompressedCrc: crc32(data),
      compression: stored ? this.#compressor.name : '',
      records: stored ? compressed : data,
    });
    const messageIndexOffsets = new Map<number, bigint>();
    let messageIndexLength = 0n;
    for (const index of chunk.indices) {
      if (index.records.length === 0) continue;
      messageIndexOffsets.set(index.channelId, chunkStartOffset + chunkLength + messageIndexLength);
      messageIndexLength += this.#records.writeMessageIndex(index);
    }
    this.#chunkIndexes.push({
      messageStartTime: chunk.messageStartTime,
      messageEndTime: chunk.messageEndTime,
      chunkStartOffset,
      chunkLength,
      messageIndexOffsets,
      messageIndexLength,
      compression: stored ? this.#compressor.name : '',
      compressedSize: BigInt(stored ? compressed.byteLength : data.byteLength),
      uncompressedSize: BigInt(data.byteLength),
    });
    this.statistics.chunkCount++;
    chunk.reset();
    this.#emitRecords();
    this.#sink.checkpoint();
  }

  /** Closes the last chunk and writes DataEnd, the summary and the footer. The sink stays open. */
  end(): void {
    this.#checkOpen('end');
    this.flushChunk();
    this.#ended = true;
    this.#records.writeDataEnd({ dataSectionCrc: crc32Final(this.#dataCrc) });
    this.#emitRecords();

    const summaryStart = BigInt(this.#sink.position());
    const r = this.#records;
    const groups: Array<{ groupOpcode: Opcode; groupStart: bigint; groupLength: bigint }> = [];
    const group = (groupOpcode: Opcode, write: () => void) => {
      const before = r.length;
      write();
      if (r.length > before) {
        groups.push({ groupOpcode, groupStart: summaryStart + BigInt(before), groupLength: BigInt(r.length - before) });
      }
    };
    group(Opcode.SCHEMA, () => this.#schemas.forEach((s) => r.writeSchema(s)));
    group(Opcode.CHANNEL, () => this.#channels.forEach((c) => r.writeChannel(c)));
    group(Opcode.STATISTICS, () => r.writeStatistics(this.statistics));
    group(Opcode.METADATA_INDEX, () => this.#metadataIndexes.forEach((m) => r.writeMetadataIndex(m)));
    group(Opcode.ATTACHMENT_INDEX, () => this.#attachmentIndexes.forEach((a) => r.writeAttachmentIndex(a)));
    group(Opcode.CHUNK_INDEX, () => this.#chunkIndexes.forEach((c) => r.writeChunkIndex(c)));
    const summaryOffsetStart = summaryStart + BigInt(r.length);
    for (const g of groups) r.writeSummaryOffset(g);

    // The summary CRC covers the summary section and the footer up to (not including) the CRC itself.
    const footerPrefix = new DataView(new ArrayBuffer(1 + 8 + 8 + 8));
    footerPrefix.setUint8(0, Opcode.FOOTER);
    footerPrefix.setBigUint64(1, 20n, true);
    footerPrefix.setBigUint64(9, summaryStart, true);
    footerPrefix.setBigUint64(17, summaryOffsetStart, true);
    const summaryCrc = crc32Final(crc32Update(crc32Update(crc32Init(), r.buffer), footerPrefix));
    r.writeFooter({ summaryStart, summaryOffsetStart, summaryCrc });
    r.writeMagic();
    this.#sink.append(r.buffer);
    r.reset();
  }

  #checkOpen(method: string): void {
    if (this.#ended) throw new Error(`McapChunkedWriter#${method}: the writer has ended`);
  }

  // Data-section records: counted into the data CRC, then appended.
  #emitRecords(): void {
    const bytes = this.#records.buffer;
    this.#dataCrc = crc32Update(this.#dataCrc, bytes);
    this.#sink.append(bytes);
    this.#records.reset();
  }
}
