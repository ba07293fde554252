// Token buckets, one per key (operator). Refills continuously; `burst` tokens at most.

export interface RateLimitConfig {
  /** Sustained commands per second. */
  ratePerSec: number;
  /** Commands allowed back to back after a quiet spell. */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { ratePerSec: 5, burst: 10 };

interface Bucket {
  tokens: number;
  lastMs: number;
}

export class KeyedTokenBucket {
  readonly #config: RateLimitConfig;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(config: RateLimitConfig, maxKeys = 10_000) {
    if (!(config.ratePerSec > 0) || !(config.burst >= 1)) {
      throw new Error(`KeyedTokenBucket: ratePerSec must be > 0 and burst >= 1 (got ${config.ratePerSec}, ${config.burst})`);
    }
    this.#config = config;
    this.#maxKeys = maxKeys;
  }

  /** Takes one token for `key` at monotonic time `nowMs`; false when the bucket is empty. */
  take(key: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      // Full buckets carry no information, so forgetting the oldest key when over the cap only ever forgives.
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
      bucket = { tokens: this.#config.burst, lastMs: nowMs };
      this.#buckets.set(key, bucket);
    }
    const elapsedMs = Math.max(0, nowMs - bucket.lastMs);
    bucket.tokens = Math.min(this.#config.burst, bucket.tokens + (elapsedMs * this.#config.ratePerSec) / 1000);
    bucket.lastMs = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
