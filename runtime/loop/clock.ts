// Time source for the loop, the watchdog and the sim. Injected everywhere so that tests and `--fast` runs use
// simulated time while a deployed arm uses the monotonic wall clock.

export interface Clock {
  readonly kind: 'wall' | 'sim';
  /** Monotonic nanoseconds since the clock's epoch. */
  nowNs(): bigint;
  /** Resolves at (or as soon as possible after) the deadline. */
  sleepUntilNs(deadlineNs: bigint): Promise<void>;
}

export interface WallClockConfig {
  /**
   * Timers in Node wake up late by up to a millisecond or two. We sleep with setTimeout until this close to the
   * deadline, then yield with setImmediate (I/O still runs) until it passes. Larger = steadier, more CPU.
   */
  spinMarginMs: number;
}

export const DEFAULT_WALL_CLOCK_CONFIG: WallClockConfig = { spinMarginMs: 1.5 };

export class WallClock implements Clock {
  readonly kind = 'wall' as const;
  readonly #spinMarginNs: bigint;
  readonly #epochNs = process.hrtime.bigint();

  constructor(config: Partial<WallClockConfig> = {}) {
    const { spinMarginMs } = { ...DEFAULT_WALL_CLOCK_CONFIG, ...config };
    this.#spinMarginNs = BigInt(Math.round(spinMarginMs * 1e6));
  }

  nowNs(): bigint {
    return process.hrtime.bigint() - this.#epochNs;
  }

  sleepUntilNs(deadlineNs: bigint): Promise<void> {
    return new Promise((resolve) => {
      const spin = (): void => {
        if (this.nowNs() >= deadlineNs) resolve();
        else setImmediate(spin);
      };
      const coarseNs = deadlineNs - this.nowNs() - this.#spinMarginNs;
      if (coarseNs > 0n) setTimeout(spin, Number(coarseNs) / 1e6);
      else spin();
    });
  }
}

/**
 * Simulated time: sleeping jumps the clock straight to the deadline, so a loop runs as fast as the CPU allows
 * while every stage still sees the nominal period. Deterministic, for tests and `--fast` evaluation.
 */
export class SimClock implements Clock {
  readonly kind = 'sim' as const;
  #nowNs: bigint;

  constructor(startNs = 0n) {
    this.#nowNs = startNs;
  }

  nowNs(): bigint {
    return this.#nowNs;
  }

  advanceNs(deltaNs: bigint): void {
    if (deltaNs < 0n) throw new RangeError(`SimClock#advanceNs: negative delta ${deltaNs}`);
    this.#nowNs += deltaNs;
  }

  sleepUntilNs(deadlineNs: bigint): Promise<void> {
    if (deadlineNs > this.#nowNs) this.#nowNs = deadlineNs;
    // Yield a macrotask so I/O (signals, sockets) is still served during a fast run.
    return new Promise((resolve) => setImmediate(resolve));
  }
}
