// Where graph timers get their ticks. Real time by default; ManualTimerScheduler runs them on simulated time for
// deterministic tests and fast-sim runs (advance it in step with the sim clock).

export interface TimerScheduler {
  setInterval(callback: () => void, periodMs: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimeScheduler: TimerScheduler = {
  setInterval: (callback, periodMs) => setInterval(callback, periodMs),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

interface ManualInterval {
  readonly callback: () => void;
  readonly periodMs: number;
  dueMs: number;
  active: boolean;
}

/** Intervals that fire only when advanced, in due-time order, each as often as its period fits. */
export class ManualTimerScheduler implements TimerScheduler {
  #nowMs = 0;
  readonly #intervals = new Set<ManualInterval>();

  get nowMs(): number {
    return this.#nowMs;
  }

  setInterval(callback: () => void, periodMs: number): unknown {
    const interval: ManualInterval = { callback, periodMs, dueMs: this.#nowMs + periodMs, active: true };
    this.#intervals.add(interval);
    return interval;
  }

  clearInterval(handle: unknown): void {
    const interval = handle as ManualInterval;
    interval.active = false;
    this.#intervals.delete(interval);
  }

  /** Moves time forward by `deltaMs`, firing every interval that falls due on the way; returns the fire count. */
  advanceMs(deltaMs: number): number {
    if (!(deltaMs >= 0)) throw new RangeError(`ManualTimerScheduler#advanceMs: invalid delta ${deltaMs}`);
    const targetMs = this.#nowMs + deltaMs;
    let fired = 0;
    for (;;) {
      let next: ManualInterval | undefined;
      for (const interval of this.#intervals) {
        if (interval.dueMs <= targetMs && (next === undefined || interval.dueMs < next.dueMs)) next = interval;
      }
      if (next === undefined) break;
      this.#nowMs = next.dueMs;
      next.dueMs += next.periodMs;
      fired++;
      next.callback();
    }
    this.#nowMs = targetMs;
    return fired;
  }
}
