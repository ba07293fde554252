// Fixed-capacity sample store for latency/jitter percentiles. Preallocated: push() never allocates, so it can sit
// in a per-tick path. When full it keeps the most recent `capacity` samples.

export class SampleWindow {
  readonly #data: Float64Array;
  #count = 0;
  #next = 0;
  #sum = 0;
  #max = -Infinity;
  #total = 0;

  constructor(readonly capacity = 65_536) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`SampleWindow: bad capacity ${capacity}`);
    this.#data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.#count === this.capacity) this.#sum -= this.#data[this.#next];
    else this.#count++;
    this.#data[this.#next] = value;
    this.#next = (this.#next + 1) % this.capacity;
    this.#sum += value;
    this.#total++;
    if (value > this.#max) this.#max = value;
  }

  get count(): number {
    return this.#count;
  }

  /** Samples ever pushed, including those that fell out of the window. */
  get total(): number {
    return this.#total;
  }

  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }

  /** Largest sample ever pushed. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /** Nearest-rank percentile over the window, p in [0, 100]. Allocates a sorted copy: call it at report time. */
  percentile(p: number): number {
    if (this.#count === 0) return NaN;
    const sorted = this.#data.slice(0, this.#count).sort();
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil((p / 100) * this.#count) - 1));
    return sorted[rank];
  }

  clear(): void {
    this.#count = 0;
    this.#next = 0;
    this.#sum = 0;
    this.#max = -Infinity;
  }
}
