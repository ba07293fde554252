// Salvages a recording that was cut short (kill -9, power loss, full disk): every complete record is kept, each
// chunk whole or not at all, and a valid indexed MCAP (summary, footer) is written next to it.
// Framing is walked by scanRecords; record contents are parsed and chunks decompressed and CRC-checked by
// @mcap/core's McapStreamReader. A record it refuses is dropped and the reader restarted, so one bad chunk in the
// middle costs that chunk only.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TypedMcapRecord } from '@mcap/core';
import { MCAP_MAGIC, McapRecordBuilder, McapStreamReader, Opcode } from '@mcap/core';
import { UserError } from '../errors.js';
import type { ChunkCompression } from './compression.js';
import { decompressHandlers, loadCompression } from './compression.js';
import { FileAppendable } from './file-appendable.js';
import type { IAppendable } from './appendable.js';
import { FileReadable } from './file-readable.js';
import type { IRandomReader } from './random-reader.js';
import { McapChunkedWriter } from './mcap-chunked-writer.js';
import { RECORDER_LIBRARY } from './mcap-episode-writer.js';
import type { RawRecord, ScanEnd } from './mcap-record-scan.js';
import { hasMagicAt, scanRecords } from './mcap-record-scan.js';

export interface RecoverMcapOptions {
  /** Replace an existing output file. Default false. */
  overwrite?: boolean;
  /** Records larger than this are treated as corruption. Default 1 GiB. */
  maxRecordBytes?: number;
  /** Chunk compression of the output. Default zstd. */
  compression?: ChunkCompression;
}

export interface RecoverMcapResult {
  messages: number;
  chunksRecovered: number;
  /** Chunks that failed to decompress or check, plus a half-written one at the end. */
  chunksDropped: number;
  /** Input bytes not carried over: dropped records and the unusable tail. Rebuilt index records are not counted. */
  bytesDiscarded: number;
  /** Largest log time among the recovered messages; undefined when none were. */
  lastMessageTimeNs: bigint | undefined;
  schemas: number;
  channels: number;
  metadata: number;
  attachments: number;
  /** Whether the input already ended in a footer (nothing was missing). */
  inputWasComplete: boolean;
  /** What was dropped and why, for the log (at most 20 lines). */
  problems: string[];
}

// Index and summary records are rebuilt by the writer, never copied.
const REBUILT = new Set<number>([
  Opcode.MESSAGE_INDEX, Opcode.CHUNK_INDEX, Opcode.ATTACHMENT_INDEX, Opcode.METADATA_INDEX, Opcode.STATISTICS,
  Opcode.SUMMARY_OFFSET,
]);

/** Recovers `inPath` into `outPath` (written under a temporary name, renamed when complete). */
export async function recoverMcap(inPath: string, outPath: string, options: RecoverMcapOptions = {}): Promise<RecoverMcapResult> {
  if (resolve(inPath) === resolve(outPath)) {
    throw new UserError(`recoverMcap: the output must be a new file, not the input ${inPath}`);
  }
  if (options.overwrite !== true && existsSync(outPath)) {
    throw new UserError(`recoverMcap: ${outPath} already exists (pass overwrite to replace it)`);
  }
  let file: FileReadable;
  try {
    file = FileReadable.open(inPath);
  } catch (e) {
    throw new UserError(`recoverMcap: cannot open ${inPath}: ${(e as Error).message}`);
  }
  const tmpPath = `${outPath}.recovering-${process.pid}`;
  let sink: FileAppendable | undefined;
  try {
    checkMagic(file, inPath);
    sink = FileAppendable.create(tmpPath, { overwrite: true });
    const result = await recoverMcapFrom(file, sink, { ...options, label: inPath });
    await sink.close();
    renameSync(tmpPath, outPath);
    return result;
  } catch (e) {
    await sink?.close().catch(() => undefined);
    rmSync(tmpPath, { force: true });
    throw asUserError(e, inPath);
  } finally {
    file.close();
  }
}

/**
 * The recovery itself, from any random-access input onto any sink (in memory for tests). Throws only UserErrors;
 * the sink is left open.
 */
export async function recoverMcapFrom(
  input: IRandomReader,
  sink: IAppendable,
  options: RecoverMcapOptions & { label?: string } = {},
): Promise<RecoverMcapResult> {
  const label = options.label ?? 'the input';
  try {
    checkMagic(input, label);
    await loadCompression();
    return salvage(input, sink, label, options.maxRecordBytes ?? 1024 * 1024 * 1024, options.compression ?? 'zstd');
  } catch (e) {
    throw asUserError(e, label);
  }
}

function checkMagic(input: IRandomReader, label: string): void {
  if (!hasMagicAt(input, 0)) {
    throw new UserError(`recoverMcap: ${label} is not an MCAP file (it does not start with the MCAP magic bytes)`);
  }
}

function asUserError(e: unknown, label: string): UserError {
  if (e instanceof UserError) return e;
  return new UserError(`recoverMcap: recovering ${label} failed: ${(e as Error).message}`);
}

function salvage(
  file: IRandomReader,
  sink: IAppendable,
  inPath: string,
  maxRecordBytes: number,
  compression: ChunkCompression,
): RecoverMcapResult {
  const result: RecoverMcapResult = {
    messages: 0, chunksRecovered: 0, chunksDropped: 0, bytesDiscarded: 0, lastMessageTimeNs: undefined, schemas: 0,
    channels: 0, metadata: 0, attachments: 0, inputWasComplete: false, problems: [],
  };
  const problem = (text: string) => {
    if (result.problems.length < 20) result.problems.push(text);
  };
  const records = scanRecords(file, MCAP_MAGIC.length, maxRecordBytes);
  const parser = new RecordParser();

  // The header is needed before the writer exists; a file cut inside it gets a plain ros2 one.
  let first = records.next();
  let header = { profile: 'ros2', library: RECORDER_LIBRARY };
  if (first.done !== true && first.value.opcode === Opcode.HEADER) {
    const parsed = parser.parse(first.value);
    const h = parsed?.find((r) => r.type === 'Header');
    if (h?.type === 'Header') header = { profile: h.profile, library: h.library };
    first = records.next();
  }
  const writer = new McapChunkedWriter({
    sink, profile: header.profile, library: `${header.library} (recovered by ${RECORDER_LIBRARY})`,
    compression, chunkMaxAgeMs: Infinity,
  });

  let step = first;
  while (step.done !== true) {
    const record = step.value;
    step = records.next();
    if (record.opcode === Opcode.DATA_END) {
      result.inputWasComplete = true;
      break;
    }
    if (REBUILT.has(record.opcode)) continue;
    const parsed = parser.parse(record);
    if (parsed === undefined) {
      if (record.opcode === Opcode.CHUNK) result.chunksDropped++;
      result.bytesDiscarded += record.bytes.byteLength;
      problem(`dropped record 0x${record.opcode.toString(16)} at byte ${record.offset}: ${parser.lastError}`);
      continue;
    }
    for (const r of parsed) commit(r, writer, result, parser, problem);
  }
  if (step.done === true) noteEnd(step.value, file.byteLength, result, problem, inPath);
  writer.end();
  return result;
}

function commit(
  r: TypedMcapRecord,
  writer: McapChunkedWriter,
  result: RecoverMcapResult,
  parser: RecordParser,
  problem: (text: string) => void,
): void {
  switch (r.type) {
    case 'Schema':
      if (!writer.hasSchema(r.id)) {
        writer.addSchema(r);
        result.schemas++;
      }
      return;
    case 'Channel':
      if (writer.hasChannel(r.id)) return;
      if (r.schemaId !== 0 && !writer.hasSchema(r.schemaId)) {
        problem(`dropped channel ${r.id} (${r.topic}) and its messages: its schema ${r.schemaId} was lost`);
        return;
      }
      writer.addChannel(r);
      parser.knownChannels.set(r.id, r);
      result.channels++;
      return;
    case 'Message':
      if (!writer.hasChannel(r.channelId)) return;
      writer.addMessage(r);
      result.messages++;
      if (result.lastMessageTimeNs === undefined || r.logTime > result.lastMessageTimeNs) result.lastMessageTimeNs = r.logTime;
      return;
    case 'Chunk':
      result.chunksRecovered++;
      return;
    case 'Metadata':
      writer.addMetadata(r);
      result.metadata++;
      return;
    case 'Attachment':
      writer.addAttachment(r);
      result.attachments++;
      return;
    default:
      return;
  }
}

function noteEnd(end: ScanEnd, size: number, result: RecoverMcapResult, problem: (t: string) => void, inPath: string): void {
  switch (end.kind) {
    case 'footer':
      result.inputWasComplete = true;
      return;
    case 'eof':
      problem(`${inPath} ends without a footer (the recording was interrupted)`);
      return;
    case 'truncated':
    case 'corrupt':
      result.bytesDiscarded += size - end.offset;
      if (end.opcode === Opcode.CHUNK) result.chunksDropped++;
      problem(`discarded the last ${size - end.offset} bytes from byte ${end.offset}: ${end.reason}`);
      return;
  }
}

/**
 * Parses one top-level record at a time with McapStreamReader. A reader that throws is left in an unspecified
 * state, so a new one replaces it, primed with the channels seen so far (the reader refuses messages on channels
 * it has not seen).
 */
class RecordParser {
  readonly knownChannels = new Map<number, TypedMcapRecord & { type: 'Channel' }>();
  lastError = '';
  #reader = this.#freshReader();

  /** The records in `record` (a chunk's Chunk record first, then its contents), or undefined if it is bad. */
  parse(record: RawRecord): TypedMcapRecord[] | undefined {
    const out: TypedMcapRecord[] = [];
    try {
      this.#reader.append(record.bytes);
      for (let r = this.#reader.nextRecord(); r !== undefined; r = this.#reader.nextRecord()) out.push(r);
      if (this.#reader.bytesRemaining() !== 0) throw new Error(`${this.#reader.bytesRemaining()} bytes left unparsed`);
      return out;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.#reader = this.#freshReader();
      return undefined;
    }
  }

  #freshReader(): McapStreamReader {
    const reader = new McapStreamReader({
      noMagicPrefix: true, includeChunks: true, validateCrcs: true, decompressHandlers: decompressHandlers(),
    });
    if (this.knownChannels.size > 0) {
      const builder = new McapRecordBuilder();
      for (const channel of this.knownChannels.values()) builder.writeChannel(channel);
      reader.append(builder.buffer);
      while (reader.nextRecord() !== undefined);
    }
    return reader;
  }
}
