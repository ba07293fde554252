// The two things the watchdog and the latch need from time, injected so tests run on fake time.
import type { Clock } from '../loop/clock.js';

/** Any clock with monotonic nanoseconds; the loop's Clock fits. */
export type NowClock = Pick<Clock, 'nowNs'>;

/** Repeating timers; the default uses Node's timers, unref'd so a watchdog never keeps a process alive. */
export interface Scheduler {
  setInterval(fn: () => void, periodMs: number): unknown;
  clearInterval(handle: unknown): void;
}

/** CLOCK_MONOTONIC: the same time base in every thread of the process (the worker watchdog relies on it). */
export const monotonicClock: NowClock = { nowNs: () => process.hrtime.bigint() };

export const nodeScheduler: Scheduler = {
  setInterval(fn, periodMs) {
    const handle = setInterval(fn, periodMs);
    handle.unref();
    return handle;
  },
  clearInterval(handle) {
    clearInterval(handle as ReturnType<typeof setInterval>);
  },
};
