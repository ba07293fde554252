// builtin_interfaces/Time <-> nanoseconds. Time and Duration share a layout, so these serve both.
import type { Time } from './defs/builtin-interfaces.js';

const NS_PER_SEC = 1_000_000_000n;
const INT32_MIN = -2_147_483_648n;
const INT32_MAX = 2_147_483_647n;

/**
 * Nanoseconds -> Time with `nanosec` in [0, 1e9) (floor division, as rclcpp does, so -1 ns is
 * `{sec: -1, nanosec: 999999999}`). Pass `out` to fill an existing object instead of allocating.
 * Throws a RangeError when the seconds do not fit builtin_interfaces' int32.
 */
export function timeFromNs(ns: bigint, out?: Time): Time {
  let sec = ns / NS_PER_SEC;
  let nanosec = ns % NS_PER_SEC;
  if (nanosec < 0n) {
    sec -= 1n;
    nanosec += NS_PER_SEC;
  }
  if (sec < INT32_MIN || sec > INT32_MAX) {
    throw new RangeError(`timeFromNs: ${ns} ns is outside the int32 seconds range of builtin_interfaces/Time`);
  }
  const t = out ?? { sec: 0, nanosec: 0 };
  t.sec = Number(sec);
  t.nanosec = Number(nanosec);
  return t;
}

/** Time -> nanoseconds; exact for every valid Time. */
export function nsFromTime(t: Time): bigint {
  return BigInt(t.sec) * NS_PER_SEC + BigInt(t.nanosec);
}

/** Milliseconds (may be fractional or negative, e.g. Date.now() or performance.now()) -> Time, to the nearest ns. */
export function timeFromMs(ms: number, out?: Time): Time {
  if (!Number.isFinite(ms)) throw new RangeError(`timeFromMs: ${ms} ms is not a finite number`);
  let sec = Math.floor(ms / 1000);
  let nanosec = Math.round((ms - sec * 1000) * 1e6);
  if (nanosec >= 1e9) {
    sec += 1;
    nanosec -= 1e9;
  }
  if (sec < -2_147_483_648 || sec > 2_147_483_647) {
    throw new RangeError(`timeFromMs: ${ms} ms is outside the int32 seconds range of builtin_interfaces/Time`);
  }
  const t = out ?? { sec: 0, nanosec: 0 };
  t.sec = sec;
  t.nanosec = nanosec;
  return t;
}

/** Time -> milliseconds as a float (loses sub-microsecond precision for present-day stamps). */
export function msFromTime(t: Time): number {
  return t.sec * 1000 + t.nanosec / 1e6;
}
