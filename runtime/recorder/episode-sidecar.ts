// The JSON beside each episode's MCAP (`episode_000012.json`): metadata, label, per-stream counts and drops,
// camera gaps, and whether the episode is complete and why it ended. It is written when the episode starts
// (status `recording`) and rewritten at stop and on each label.
//
// The file reserves its space when created (the JSON padded with spaces, which JSON.parse ignores) and is rewritten
// in place. On a full disk, rewriting bytes that already exist needs no new blocks, so the final status
// (`incomplete`, `disk_full`) still reaches the file when the MCAP could not be finished.
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import type { EpisodeLabel, ObjectMetadata, StreamRole } from './episode-config.js';

export const SIDECAR_FORMAT = 'armstack.episode.v1';
const DEFAULT_RESERVE_BYTES = 64 * 1024;

export type EpisodeStatus = 'recording' | 'complete' | 'incomplete';
/** `interrupted`: the recorder died (kill, power loss) and the sidecar was never finished. */
export type EpisodeEndReason =
  | 'operator' | 'time_limit' | 'disk_low' | 'disk_full' | 'write_error' | 'shutdown' | 'interrupted';

export interface StreamReport {
  topic: string;
  type: string;
  role: StreamRole | 'camera';
  /** Messages or frames that reached the recorder. */
  received: number;
  written: number;
  /** Received but not written: encoder queue full, encode or write failure, or arriving after a failure. */
  dropped: number;
  /** Cameras: frames the camera made that never reached the recorder (Frame.seq gaps). */
  missed: number;
  nominalHz?: number;
  /** received / (last - first), 0 with fewer than two. */
  achievedHz: number;
  /** Capture stamps relative to the episode start, s. */
  firstS?: number;
  lastS?: number;
}

export interface GapReport {
  topic: string;
  /** Relative to the episode start, s: the last frame before the gap and the first after it (or the stop). */
  startS: number;
  endS: number;
  durationS: number;
  /** The camera had not come back when the episode stopped. */
  openAtStop: boolean;
}

export interface RateWarning {
  topic: string;
  atS: number;
  achievedHz: number;
  nominalHz: number;
}

export interface EpisodeSidecar {
  format: typeof SIDECAR_FORMAT;
  episodeIndex: number;
  /** The MCAP's file name, in the same folder. */
  file: string;
  status: EpisodeStatus;
  complete: boolean;
  reason: EpisodeEndReason | null;
  task: string;
  operator: string;
  object: ObjectMetadata;
  label: EpisodeLabel | null;
  notes: string;
  extra: Record<string, string>;
  startedAt: string;
  stoppedAt: string | null;
  /** Recorder clock at start (ns, as a decimal string: it may exceed 2^53). */
  startTimeNs: string;
  durationS: number;
  streams: StreamReport[];
  /** Dropped plus missed, over every stream. */
  dropsTotal: number;
  gaps: GapReport[];
  rateWarnings: RateWarning[];
  mcap: { bytes: number; messages: number; chunks: number; hasFooter: boolean };
  /** Set by `armstack recover`. */
  recovered?: { file: string; messages: number; chunksDropped: number; bytesDiscarded: number; at: string };
  errors: string[];
  config: { episodeTimeS: number; resetTimeS: number; imageFormat: string; jpegQuality: number };
}

export function episodeStem(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > 999_999) {
    throw new RangeError(`episodeStem: episode index must be an integer in [0, 999999], got ${index}`);
  }
  return `episode_${String(index).padStart(6, '0')}`;
}

const EPISODE_FILE = /^episode_(\d{6})\.(mcap|json|recovered\.mcap)$/;

/** `episode_000012.mcap` -> { index: 12, kind: 'mcap' }; undefined for other names. */
export function parseEpisodeFileName(name: string): { index: number; kind: 'mcap' | 'json' | 'recovered.mcap' } | undefined {
  const m = EPISODE_FILE.exec(basename(name));
  if (!m) return undefined;
  return { index: Number(m[1]), kind: m[2] as 'mcap' | 'json' | 'recovered.mcap' };
}

/** A sidecar rewritten in place within the space it reserved when created. */
export class SidecarFile {
  readonly path: string;
  #reservedBytes: number;

  private constructor(path: string, reservedBytes: number) {
    this.path = path;
    this.#reservedBytes = reservedBytes;
  }

  /** Creates the file (refusing to replace one) holding `sidecar`, padded to `reserveBytes`. */
  static create(path: string, sidecar: EpisodeSidecar, reserveBytes = DEFAULT_RESERVE_BYTES): SidecarFile {
    const bytes = encode(sidecar);
    const size = Math.max(reserveBytes, bytes.byteLength + 1);
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      throw new Error(`SidecarFile.create: cannot create ${path}: ${(e as Error).message}`);
    }
    try {
      writeAll(fd, padded(bytes, size), 0);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return new SidecarFile(path, size);
  }

  /** Opens an existing sidecar for rewriting (its current size is the reserve). */
  static open(path: string): SidecarFile {
    return new SidecarFile(path, readFileSync(path).byteLength);
  }

  /** Rewrites the file. Within the reserve it overwrites in place (works on a full disk); beyond, it grows. */
  write(sidecar: EpisodeSidecar): void {
    const bytes = encode(sidecar);
    const size = Math.max(this.#reservedBytes, bytes.byteLength + 1);
    let fd: number;
    try {
      fd = openSync(this.path, 'r+');
    } catch (e) {
      throw new Error(`SidecarFile#write: cannot open ${this.path}: ${(e as Error).message}`);
    }
    try {
      writeAll(fd, padded(bytes, size), 0);
      fdatasyncSync(fd);
    } catch (e) {
      throw new Error(`SidecarFile#write: writing ${this.path} failed: ${(e as Error).message}`);
    } finally {
      closeSync(fd);
    }
    this.#reservedBytes = size;
  }
}

/** Reads and checks a sidecar; a missing, unreadable or malformed one is a UserError naming the file. */
export function readSidecar(path: string): EpisodeSidecar {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`readSidecar: cannot read ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(`readSidecar: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const s = value as Partial<EpisodeSidecar>;
  if (typeof s !== 'object' || s === null || s.format !== SIDECAR_FORMAT) {
    throw new UserError(`readSidecar: ${path} is not an armstack episode sidecar (format is not "${SIDECAR_FORMAT}")`);
  }
  if (typeof s.episodeIndex !== 'number' || typeof s.file !== 'string' || !Array.isArray(s.streams)) {
    throw new UserError(`readSidecar: ${path} lacks episodeIndex, file or streams`);
  }
  return s as EpisodeSidecar;
}

function encode(sidecar: EpisodeSidecar): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(sidecar, null, 2));
}

function padded(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size).fill(0x20);
  out.set(bytes, 0);
  out[size - 1] = 0x0a;
  return out;
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let offset = 0;
  while (offset < data.byteLength) {
    offset += writeSync(fd, data, offset, data.byteLength - offset, position + offset);
  }
}
