// readFresh() for every camera: callers waiting for a frame newer than the one they have, each with a timeout
// that names the camera. A camera calls wake() with each new frame and rejectAll() when it disconnects.
import type { Frame } from './camera.js';

interface Waiter {
  afterSeq: number;
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class FrameWaiters {
  readonly #owner: string;
  #waiters: Waiter[] = [];

  /** `owner` names the camera in errors, e.g. `OpenCvCamera 'overhead'`. */
  constructor(owner: string) {
    this.#owner = owner;
  }

  /** Resolves with `latest` when it is newer than afterSeq, else with the next newer frame wake() gets. */
  wait(latest: Frame | undefined, afterSeq: number, timeoutMs: number): Promise<Frame> {
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

  wake(frame: Frame): void {
    if (this.#waiters.length === 0) return;
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

  /** Rejects every pending wait (on disconnect), naming why. */
  rejectAll(reason: string): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`${this.#owner}#readFresh: ${reason}`));
    }
  }
}
