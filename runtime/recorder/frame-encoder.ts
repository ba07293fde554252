// JPEG encoding off the main thread, behind a bounded queue. The encoder copies a frame's pixels before encode()
// returns (camera buffers are reused) and does the encoding elsewhere; the queue only bounds how many frames of one
// camera are in the encoder. A frame that finds the queue full is dropped and counted by the caller: the recorder
// never lets a slow encoder push back on the control loop.
import type { Frame, PixelEncoding } from '../../perception/cameras/camera.js';

export interface EncodeJob {
  width: number;
  height: number;
  encoding: PixelEncoding;
  quality: number;
  /** width * height * 3 bytes, row-major; the encoder copies them before encode() returns. */
  data: Uint8Array;
}

export interface FrameEncoder {
  /** Resolves when the encoder can take jobs; rejects (a UserError saying how to fix it) when it cannot run. */
  ready(): Promise<void>;
  /** Copies `job.data` at once, then resolves with the JPEG bytes (BGR/YCbCr JPEG, as OpenCV writes it). */
  encode(job: EncodeJob): Promise<Uint8Array>;
  /** Optional: allocate (and touch) buffers for `count` frames of this size now, before recording starts. */
  prepare?(width: number, height: number, count: number): void;
  close(): Promise<void>;
}

export class BoundedEncodeQueue {
  readonly depth: number;
  readonly #encoder: FrameEncoder;
  readonly #quality: number;
  #inFlight = 0;
  #waiters: Array<() => void> = [];

  constructor(encoder: FrameEncoder, depth: number, quality: number) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`BoundedEncodeQueue: depth must be an integer >= 1, got ${depth}`);
    this.#encoder = encoder;
    this.depth = depth;
    this.#quality = quality;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get hasCapacity(): boolean {
    return this.#inFlight < this.depth;
  }

  /** Starts encoding the frame (its pixels are copied now); undefined, and nothing copied, when the queue is full. */
  submit(frame: Frame): Promise<Uint8Array> | undefined {
    if (this.#inFlight >= this.depth) return undefined;
    const bytes = frame.width * frame.height * 3;
    if (frame.data.byteLength < bytes) {
      throw new Error(`BoundedEncodeQueue#submit: frame ${frame.seq} has ${frame.data.byteLength} bytes, ${frame.width}x${frame.height}x3 needs ${bytes}`);
    }
    this.#inFlight++;
    let pending: Promise<Uint8Array>;
    try {
      pending = this.#encoder.encode({
        width: frame.width, height: frame.height, encoding: frame.encoding, quality: this.#quality,
        data: frame.data.subarray(0, bytes),
      });
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.finally(() => this.#release());
  }

  /** Resolves once there is room (at once when there is). */
  capacity(): Promise<void> {
    if (this.hasCapacity) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once nothing is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    this.#inFlight--;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
