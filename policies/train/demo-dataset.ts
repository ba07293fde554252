// Recorded demonstrations: per control tick the measured command-joint positions, the gripper effort, the task
// observation as perception gave it (noise included), the expert's clean target and its phase. Features and
// action chunks are derived at training time, so a new feature set or chunk size needs no new recording.
// On disk: "ARMDEMO1", a uint32 header length, a JSON header, then the float32 rows.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../runtime/errors.js';
import { emptyTaskObservation, type TaskObservation } from '../features.js';

const MAGIC = 'ARMDEMO1';

export const PHASES = ['home', 'pre_grasp', 'descend', 'close', 'lift', 'above_bin', 'lower', 'open', 'retreat', 'done'] as const;

export interface DemoHeader {
  /** Command joints (arm joints then the gripper). */
  jointNames: string[];
  rateHz: number;
  /** Row start of each episode, plus the total row count at the end. */
  episodeStarts: number[];
  /** Free-form provenance: seeds, noise, counts. */
  info: Record<string, unknown>;
}

/** Column layout of one row, for n command joints. */
export function rowLayout(n: number): { q: number; effort: number; task: number; target: number; phase: number; stride: number } {
  const q = 0, effort = n, task = n + 1, target = n + 6, phase = 2 * n + 6;
  return { q, effort, task, target, phase, stride: 2 * n + 7 };
}

export class DemoDataset {
  readonly header: DemoHeader;
  readonly layout: ReturnType<typeof rowLayout>;
  #data: Float32Array;
  #rows = 0;

  constructor(header: DemoHeader, data?: Float32Array) {
    this.header = header;
    this.layout = rowLayout(header.jointNames.length);
    this.#data = data ?? new Float32Array(this.layout.stride * 4096);
    if (data) this.#rows = data.length / this.layout.stride;
  }

  get rows(): number {
    return this.#rows;
  }

  get episodes(): number {
    return Math.max(0, this.header.episodeStarts.length - 1);
  }

  get data(): Float32Array {
    return this.#data.subarray(0, this.#rows * this.layout.stride);
  }

  beginEpisode(): void {
    const starts = this.header.episodeStarts;
    if (starts.length === 0) starts.push(this.#rows);
  }

  /** Closes the episode begun at the last start, keeping its rows. */
  endEpisode(): void {
    this.header.episodeStarts.push(this.#rows);
  }

  /** Drops the rows recorded since the last episode boundary (a failed episode). */
  discardEpisode(): void {
    const starts = this.header.episodeStarts;
    this.#rows = starts[starts.length - 1] ?? 0;
  }

  push(q: ArrayLike<number>, effortN: number, task: TaskObservation, target: ArrayLike<number>, phase: number): void {
    const L = this.layout, n = this.header.jointNames.length;
    if ((this.#rows + 1) * L.stride > this.#data.length) {
      const grown = new Float32Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    const d = this.#data, o = this.#rows * L.stride;
    for (let i = 0; i < n; i++) d[o + L.q + i] = q[i];
    d[o + L.effort] = effortN;
    d[o + L.task] = task.objectXM;
    d[o + L.task + 1] = task.objectYM;
    d[o + L.task + 2] = task.objectYawRad;
    d[o + L.task + 3] = task.binXM;
    d[o + L.task + 4] = task.binYM;
    for (let i = 0; i < n; i++) d[o + L.target + i] = target[i];
    d[o + L.phase] = phase;
    this.#rows++;
  }

  /** Row r's task observation into out. */
  taskOf(r: number, out: TaskObservation = emptyTaskObservation()): TaskObservation {
    const d = this.#data, o = r * this.layout.stride + this.layout.task;
    out.valid = true;
    out.objectXM = d[o];
    out.objectYM = d[o + 1];
    out.objectYawRad = d[o + 2];
    out.binXM = d[o + 3];
    out.binYM = d[o + 4];
    return out;
  }

  save(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    const header = Buffer.from(JSON.stringify(this.header), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    const body = this.data;
    writeFileSync(path, Buffer.concat([Buffer.from(MAGIC, 'ascii'), len, header, Buffer.from(body.buffer, body.byteOffset, body.byteLength)]));
  }

  static load(path: string): DemoDataset {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (error) {
      throw new UserError(`DemoDataset.load: cannot read ${path}: ${(error as Error).message}`);
    }
    if (buf.subarray(0, 8).toString('ascii') !== MAGIC) throw new UserError(`DemoDataset.load: ${path} is not a demonstration file (no ${MAGIC} magic)`);
    const len = buf.readUInt32LE(8);
    const header = JSON.parse(buf.subarray(12, 12 + len).toString('utf8')) as DemoHeader;
    const raw = buf.subarray(12 + len);
    const data = new Float32Array(raw.byteLength / 4);
    new Uint8Array(data.buffer).set(raw);
    return new DemoDataset(header, data);
  }
}
