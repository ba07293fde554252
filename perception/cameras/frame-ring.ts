// The latest-frame holder every camera implementation shares: preallocated pixel buffers reused in turn, the
// newest frame for read(), and waiters for readFresh(). Three buffers, so a frame handed out by read() keeps its
// pixels for at least one more frame period after a newer one arrives (a consumer that wants it longer copies).
import type { Frame, PixelEncoding } from './camera.js';
import { FrameWaiters } from './frame-waiters.js';

export class FrameRing {
  readonly width: number;
  readonly height: number;
  readonly frameBytes: number;
  readonly #buffers: Uint8Array[];
  readonly #waiters: FrameWaiters;
  #next = 0;
  #seq = 0;
  #latest: Frame | undefined;

  /** `owner` names the camera in errors, e.g. `OpenCvCamera 'overhead'`. */
  constructor(owner: string, width: number, height: number, slots = 3) {
    this.#waiters = new FrameWaiters(owner);
    this.width = width;
    this.height = height;
    this.frameBytes = width * height * 3;
    this.#buffers = Array.from({ length: slots }, () => new Uint8Array(this.frameBytes));
  }

  /** The buffer the next frame is to be written into; pass it to commit() once filled. */
  acquire(): Uint8Array {
    return this.#buffers[this.#next];
  }

  /** Publishes the buffer from acquire() as the newest frame. `seq` increments by one per committed frame. */
  commit(stampNs: bigint, encoding: PixelEncoding): Frame {
    const data = this.#buffers[this.#next];
    this.#next = (this.#next + 1) % this.#buffers.length;
    const frame: Frame = { stampNs, seq: ++this.#seq, width: this.width, height: this.height, encoding, data };
    this.#latest = frame;
    this.#waiters.wake(frame);
    return frame;
  }

  get latest(): Frame | undefined {
    return this.#latest;
  }

  get seq(): number {
    return this.#seq;
  }

  waitFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    return this.#waiters.wait(this.#latest, afterSeq, timeoutMs);
  }

  /** Rejects every pending readFresh (on disconnect), naming why. */
  rejectWaiters(reason: string): void {
    this.#waiters.rejectAll(reason);
  }
}
