// A small seeded PRNG (mulberry32). Everything random in the sim draws from one of these, so a seed fixes the
// whole run: box placement today, sensor noise and cloth later. Math.random is never used in sim/.

export class Random {
  #state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Random#constructor: seed must be a finite number, got ${seed}`);
    // Mix the seed once so that nearby seeds (1, 2, 3...) start far apart in the sequence.
    this.#state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    this.next();
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second value is dropped to keep the state a single number). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A child generator with its own stream, so adding draws in one subsystem does not shift another's. */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}
