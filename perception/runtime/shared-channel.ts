// The shared memory between the main thread and the inference worker: one SharedArrayBuffer holding a control
// block, three frame slots and three result slots. Both sides build the same views over it (InferenceChannel).
//
// Frames and results each go through a lock-free triple buffer: the producer owns a back slot, the consumer a
// front slot, and one Atomics.exchange on the shared "middle" word swaps a finished slot in or out (with a dirty
// bit saying it holds something new). So the main thread writes the next frame while the worker reads the
// previous one, nothing is copied across threads, a slow worker just sees the newest frame (older ones are
// overwritten, counted as dropped), and the main thread picks up the newest result without ever waiting.
import type { PixelEncoding } from '../cameras/camera.js';

export interface ChannelSizes {
  /** Largest frame, bytes (width · height · 3). */
  frameBytes: number;
  /** Measured command-joint positions sent with each frame. */
  stateLength: number;
  /** Extra per-request inputs (the task goal, gripper effort; see the pipeline). */
  auxLength: number;
  /** Floats in an action chunk (chunkSize · actionDim). */
  actionLength: number;
  /** Floats of intermediate outputs kept for diagnostics (vision output, policy features). */
  featureLength: number;
}

// Control block, Int32 indices.
export const C = {
  FRAME_MIDDLE: 0,
  SUBMIT_COUNT: 1,
  RESULT_MIDDLE: 2,
  RESULT_COUNT: 3,
  STOP: 4,
  /** Fault injection: the worker blocks this many ms before its next request (then clears it). */
  STALL_MS: 5,
  WORKER_STATE: 6,
  /** Bumped by the worker every loop turn, so the main side can see it is alive. */
  HEARTBEAT: 7,
  /** Frames the worker took (submitted − taken = dropped). */
  TAKEN: 8,
  /** Something for the worker to Atomics.wait on when it sleeps (stall injection); never notified. */
  SLEEP: 9,
  ERRORS: 10,
} as const;
const CONTROL_INTS = 16;

export const WorkerState = { starting: 0, idle: 1, busy: 2, stopped: 3, failed: 4 } as const;

/** Triple-buffer middle word: slot index in the low bits, DIRTY when it holds an unread item. */
export const DIRTY = 4;
export const INDEX_MASK = 3;
export const SLOTS = 3;

// Per-slot metadata, BigInt64 fields.
export const F = { REQ: 0, FRAME_SEQ: 1, STAMP_NS: 2, SUBMIT_NS: 3, WIDTH: 4, HEIGHT: 5, ENCODING: 6 } as const;
export const R = { REQ: 0, FRAME_SEQ: 1, STAMP_NS: 2, SUBMIT_NS: 3, START_NS: 4, DONE_NS: 5, STATUS: 6 } as const;
const META_FIELDS = 8;
// Result timings, Float64 fields (ms).
export const T = { PREPROCESS: 0, VISION: 1, POLICY: 2, TOTAL: 3 } as const;
const TIMING_FIELDS = 4;

export const STATUS_OK = 1n;
export const STATUS_ERROR = 2n;

export function encodingCode(encoding: PixelEncoding): bigint {
  return encoding === 'bgr8' ? 1n : 0n;
}

const align8 = (n: number): number => (n + 7) & ~7;

interface Layout {
  bytes: number;
  control: number;
  frameMeta: number;
  frameState: number;
  frameAux: number;
  resultMeta: number;
  resultTimings: number;
  resultActions: number;
  resultFeatures: number;
  pixels: number;
}

function layout(s: ChannelSizes): Layout {
  let at = 0;
  const take = (bytes: number): number => {
    const start = at;
    at = align8(at + bytes);
    return start;
  };
  const l = {
    control: take(CONTROL_INTS * 4),
    frameMeta: take(SLOTS * META_FIELDS * 8),
    frameState: take(SLOTS * s.stateLength * 8),
    frameAux: take(SLOTS * s.auxLength * 8),
    resultMeta: take(SLOTS * META_FIELDS * 8),
    resultTimings: take(SLOTS * TIMING_FIELDS * 8),
    resultActions: take(SLOTS * s.actionLength * 4),
    resultFeatures: take(SLOTS * s.featureLength * 4),
    // Pixels last: the big block, 64-byte aligned for the copy.
    pixels: 0,
    bytes: 0,
  };
  at = (at + 63) & ~63;
  l.pixels = take(SLOTS * s.frameBytes);
  l.bytes = at;
  return l;
}

export class InferenceChannel {
  readonly sizes: Readonly<ChannelSizes>;
  readonly buffer: SharedArrayBuffer;
  readonly control: Int32Array;
  /** Per slot i: views on that slot's part of each block. */
  readonly frameMeta: BigInt64Array[];
  readonly frameState: Float64Array[];
  readonly frameAux: Float64Array[];
  readonly framePixels: Uint8Array[];
  readonly resultMeta: BigInt64Array[];
  readonly resultTimings: Float64Array[];
  readonly resultActions: Float32Array[];
  readonly resultFeatures: Float32Array[];

  /** A new buffer for `sizes`, or views over an existing one (the worker's side). */
  constructor(sizes: ChannelSizes, buffer?: SharedArrayBuffer) {
    for (const [k, v] of Object.entries(sizes)) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`InferenceChannel: ${k} must be a non-negative integer, got ${v}`);
    }
    this.sizes = Object.freeze({ ...sizes });
    const l = layout(sizes);
    if (buffer && buffer.byteLength < l.bytes) {
      throw new RangeError(`InferenceChannel: buffer has ${buffer.byteLength} bytes, the layout needs ${l.bytes}`);
    }
    this.buffer = buffer ?? new SharedArrayBuffer(l.bytes);
    const b = this.buffer;
    this.control = new Int32Array(b, l.control, CONTROL_INTS);
    const per = <A>(make: (i: number) => A): A[] => Array.from({ length: SLOTS }, (_, i) => make(i));
    this.frameMeta = per((i) => new BigInt64Array(b, l.frameMeta + i * META_FIELDS * 8, META_FIELDS));
    this.frameState = per((i) => new Float64Array(b, l.frameState + i * sizes.stateLength * 8, sizes.stateLength));
    this.frameAux = per((i) => new Float64Array(b, l.frameAux + i * sizes.auxLength * 8, sizes.auxLength));
    this.framePixels = per((i) => new Uint8Array(b, l.pixels + i * sizes.frameBytes, sizes.frameBytes));
    this.resultMeta = per((i) => new BigInt64Array(b, l.resultMeta + i * META_FIELDS * 8, META_FIELDS));
    this.resultTimings = per((i) => new Float64Array(b, l.resultTimings + i * TIMING_FIELDS * 8, TIMING_FIELDS));
    this.resultActions = per((i) => new Float32Array(b, l.resultActions + i * sizes.actionLength * 4, sizes.actionLength));
    this.resultFeatures = per((i) => new Float32Array(b, l.resultFeatures + i * sizes.featureLength * 4, sizes.featureLength));
    if (!buffer) {
      // Producer back slots start at 0, consumers' front slots at 2, the middle at 1 (clean).
      Atomics.store(this.control, C.FRAME_MIDDLE, 1);
      Atomics.store(this.control, C.RESULT_MIDDLE, 1);
    }
  }
}

/**
 * One side of a triple buffer. The producer fills slot `back`, then publish() swaps it into the middle; the
 * consumer's take() swaps the middle out when it is dirty and returns the slot it now owns, or -1.
 */
export class TripleBufferEnd {
  readonly #control: Int32Array;
  readonly #middle: number;
  /** The slot this side owns: the producer's back or the consumer's front. */
  slot: number;

  constructor(control: Int32Array, middleIndex: number, role: 'producer' | 'consumer') {
    this.#control = control;
    this.#middle = middleIndex;
    this.slot = role === 'producer' ? 0 : 2;
  }

  /** Producer: hands the filled slot over; returns true when it replaced an item nobody had taken (a drop). */
  publish(): boolean {
    const old = Atomics.exchange(this.#control, this.#middle, this.slot | DIRTY);
    this.slot = old & INDEX_MASK;
    return (old & DIRTY) !== 0;
  }

  /** Consumer: takes the newest published slot; -1 when nothing new was published since the last take. */
  take(): number {
    if ((Atomics.load(this.#control, this.#middle) & DIRTY) === 0) return -1;
    const old = Atomics.exchange(this.#control, this.#middle, this.slot);
    this.slot = old & INDEX_MASK;
    return this.slot;
  }
}
