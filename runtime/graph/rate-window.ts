// Publish rate over a sliding time window, from a ring of recent publish times (like `ros2 topic hz`, which
// averages the intervals between messages). Recording allocates nothing.

export class RateWindow {
  readonly #stampsMs: Float64Array;
  #next = 0;
  #count = 0;

  /** `windowMs`: how far back the rate looks; `capacity`: at most this many recent stamps are kept. */
  constructor(
    readonly windowMs: number,
    capacity = 256,
  ) {
    this.#stampsMs = new Float64Array(capacity);
  }

  record(nowMs: number): void {
    this.#stampsMs[this.#next] = nowMs;
    this.#next = (this.#next + 1) % this.#stampsMs.length;
    if (this.#count < this.#stampsMs.length) this.#count++;
  }

  /** Messages per second among the stamps within the window ending at `nowMs`; 0 with fewer than two. */
  rateHz(nowMs: number): number {
    const capacity = this.#stampsMs.length;
    const newestIndex = (this.#next - 1 + capacity) % capacity;
    const newest = this.#stampsMs[newestIndex]!;
    if (this.#count < 2 || nowMs - newest > this.windowMs) return 0;
    let oldest = newest;
    let inWindow = 1;
    for (let i = 1; i < this.#count; i++) {
      const stamp = this.#stampsMs[(newestIndex - i + capacity) % capacity]!;
      if (nowMs - stamp > this.windowMs) break;
      oldest = stamp;
      inWindow++;
    }
    if (inWindow < 2) return 0;
    // A burst within one clock tick has no measurable interval: fall back to the count over the window.
    if (newest <= oldest) return (inWindow * 1000) / this.windowMs;
    return ((inWindow - 1) * 1000) / (newest - oldest);
  }
}
