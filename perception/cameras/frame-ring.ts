// The latest-frame holder every camera implementation shares: preallocated pixel buffers reused in turn, the
// newest frame for read(), and waiters for readFresh(). Three buffers, so a frame handed out by read() keeps its
// pixels for at least one more frame period after a newer one arrives (a consumer that wants it longer copies).
import type { Frame, PixelEncoding } from './camera.js';

interface Waiter {
  afterSeq: number;
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class FrameRing {
  readonly width: number;
  readonly height: number;
  readonly frameBytes: number;
  readonly #buffers: Uint8Array[];
  readonly #owner: string;
  #next = 0;
  #seq = 0;
  #latest: Frame | undefined;
  #waiters: Waiter[] = [];

  /** `owner` names the camera in errors, e.g. `OpenCvCamera 'overhead'`. */
  constructor(owner: string, width: number, height: number, slots = 3) {
    this.#owner = owner;
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
    if (this.#waiters.length > 0) this.#wake(frame);
    return frame;
  }

  get latest(): Frame | undefined {
    return this.#latest;
  }

  get seq(): number {
    return this.#seq;
  }

  waitFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    const latest = this.#latest;
    if (latest && latest.seq > afterSeq) return Promise.resolve(latest);
    return new Promise<Frame>((resolve, reject) => {
      const waiter: Waiter = {
        afterSeq, resolve, reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new Error(`${this.#owner}#readFresh: no frame newer than seq ${afterSeq} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Rejects every pending readFresh (on disconnect), naming why. */
  rejectWaiters(reason: string): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`${this.#owner}#readFresh: ${reason}`));
    }
  }

  #wake(frame: Frame): void {
    const keep: Waiter[] = [];
    for (const w of this.#waiters) {
      if (frame.seq > w.afterSeq) {
        clearTimeout(w.timer);
        w.resolve(frame);
      } else {
        keep.push(w);
      }
    }
    this.#waiters = keep;
  }
}
