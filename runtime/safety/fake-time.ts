// In-memory clock + scheduler for tests (and any fake-time run): time moves only when advanced, and due
// intervals fire in order as it passes them. Production code never imports this.
import type { NowClock, Scheduler } from './time.js';

interface Timer {
  fn: () => void;
  periodNs: bigint;
  nextNs: bigint;
  live: boolean;
}

export class FakeTime implements NowClock, Scheduler {
  #nowNs: bigint;
  readonly #timers: Timer[] = [];

  constructor(startNs = 0n) {
    this.#nowNs = startNs;
  }

  nowNs(): bigint {
    return this.#nowNs;
  }

  setInterval(fn: () => void, periodMs: number): unknown {
    const periodNs = BigInt(Math.max(1, Math.round(periodMs * 1e6)));
    const timer: Timer = { fn, periodNs, nextNs: this.#nowNs + periodNs, live: true };
    this.#timers.push(timer);
    return timer;
  }

  clearInterval(handle: unknown): void {
    const timer = handle as Timer;
    timer.live = false;
    const i = this.#timers.indexOf(timer);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Moves time forward, firing each due timer at its own due time (the clock reads that time inside it). */
  advanceMs(ms: number): void {
    const endNs = this.#nowNs + BigInt(Math.round(ms * 1e6));
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.live && t.nextNs <= endNs && (!next || t.nextNs < next.nextNs)) next = t;
      if (!next) break;
      this.#nowNs = next.nextNs;
      next.nextNs += next.periodNs;
      next.fn();
    }
    this.#nowNs = endNs;
  }

  get activeTimers(): number {
    return this.#timers.length;
  }
}
