// Safety events -> /diagnostics (diagnostic_msgs/DiagnosticArray) and structured log lines. A side tap: the
// filter calls onEvent inside apply() every tick a rule fires, so recording only bumps counters (no clock read, no
// allocation). An escalation to a worse level (OK -> WARN, WARN -> ERROR) goes out at once; after that tick()
// (start() runs it every half interval) sends at most one aggregated status per rule per minIntervalMs, and OK
// ("recovered") once a rule has been quiet for a whole interval. Holds and the e-stop are sticky: they clear only
// when told (fresh commands, a supervisor's reset).
import type { DiagnosticArray, DiagnosticStatus as DiagnosticStatusMsg, KeyValue } from '../messages/index.js';
import { DiagnosticStatus, timeFromNs } from '../messages/index.js';
import { resolveSafetyDiagnosticsConfig, type SafetyDiagnosticsConfig } from './safety-config.js';
import { SAFETY_RULES, type SafetyAction, type SafetyEvent } from './safety-rules.js';
import type { EStopResetBy, EStopTrip } from './estop-latch.js';
import { monotonicClock, nodeScheduler, type NowClock, type Scheduler } from './time.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SafetyLogger = (level: LogLevel, msg: string, fields: Record<string, unknown>) => void;

export interface SafetyDiagnosticsDeps {
  publish: (msg: DiagnosticArray) => void;
  log?: SafetyLogger;
  clock?: NowClock;
  /** For start(): the timer that flushes aggregates and recoveries. */
  scheduler?: Scheduler;
}

const NEVER = -1n << 62n;

/** One per diagnostic name. A class, so its fields keep their own (unboxed) layout: onEvent runs inside apply(). */
class Entry {
  sticky = false;
  /** Last published level; OK when nothing is wrong. */
  publishedLevel: number = DiagnosticStatus.OK;
  lastPublishNs = NEVER;
  /** The last tick() that saw events (events between ticks carry no time of their own). */
  lastSeenNs = NEVER;
  /** Since the last publish / the last tick(). */
  count = 0;
  sinceTick = 0;
  level: number = DiagnosticStatus.OK;
  maxDeviation = 0;
  total = 0;
  action = '';
  subject = '';
  original = NaN;
  safe = NaN;
  message = '';
  constructor(readonly name: string) {}
}

function levelOf(action: SafetyAction): number {
  return action === 'clamped' || action === 'pass' ? DiagnosticStatus.WARN : DiagnosticStatus.ERROR;
}

export class SafetyDiagnostics {
  readonly config: Readonly<SafetyDiagnosticsConfig>;
  readonly #deps: SafetyDiagnosticsDeps;
  readonly #clock: NowClock;
  readonly #intervalNs: bigint;
  readonly #entries = new Map<string, Entry>();
  #timer: unknown;

  constructor(config: Partial<SafetyDiagnosticsConfig>, deps: SafetyDiagnosticsDeps) {
    this.config = Object.freeze(resolveSafetyDiagnosticsConfig(config));
    this.#deps = deps;
    this.#clock = deps.clock ?? monotonicClock;
    this.#intervalNs = BigInt(Math.round(this.config.minIntervalMs * 1e6));
    for (const rule of SAFETY_RULES) this.#entry(rule);
  }

  /** The SafetyFilter's event sink. Cheap: counters only, unless a status is due. */
  readonly onEvent = (event: SafetyEvent): void => {
    const e = this.#entry(event.rule);
    // Numbers are copied here, not passed on: a double argument to a call V8 does not inline is boxed.
    e.original = event.original;
    e.safe = event.safe;
    const deviation = Math.abs(event.original - event.safe);
    if (deviation > e.maxDeviation) e.maxDeviation = deviation;
    this.#note(e, levelOf(event.action), event.action, event.subject, '');
  };

  /** A hold by `source` (watchdog, watchdog_worker, ...): ERROR `safety/<source>` until holdCleared. */
  holdRaised(source: string, reason: string): void {
    const e = this.#entry(source);
    e.sticky = true;
    e.original = e.safe = NaN;
    this.#note(e, DiagnosticStatus.ERROR, 'hold', source, reason);
  }

  holdCleared(source: string, message = 'fresh commands again'): void {
    this.#clear(this.#entry(source), message);
  }

  estopTripped(trip: EStopTrip): void {
    const e = this.#entry('estop');
    e.sticky = true;
    e.original = e.safe = NaN;
    this.#note(e, DiagnosticStatus.ERROR, 'estopped', trip.source, `e-stop latched by ${trip.source}: ${trip.reason}`);
  }

  estopReleased(by: EStopResetBy): void {
    this.#clear(this.#entry('estop'), `e-stop released by ${by.operator} (${by.role})`);
  }

  /** Publishes aggregates whose interval has passed and OK for rules quiet for a whole interval. */
  tick(nowNs: bigint = this.#clock.nowNs()): void {
    const due: DiagnosticStatusMsg[] = [];
    for (const e of this.#entries.values()) {
      if (e.sinceTick > 0) {
        e.sinceTick = 0;
        e.lastSeenNs = nowNs;
      }
      if (e.count > 0 && nowNs - e.lastPublishNs >= this.#intervalNs) due.push(this.#take(e, nowNs));
      else if (e.count === 0 && !e.sticky && e.publishedLevel !== DiagnosticStatus.OK && nowNs - e.lastSeenNs >= this.#intervalNs) {
        due.push(this.#recover(e, nowNs, 'recovered: not fired for ' + this.config.minIntervalMs + ' ms'));
      }
    }
    if (due.length) this.#publish(due, nowNs);
  }

  /** Runs tick() on the scheduler, every half interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    const scheduler = this.#deps.scheduler ?? nodeScheduler;
    this.#timer = scheduler.setInterval(() => this.tick(), Math.max(10, this.config.minIntervalMs / 2));
  }

  stop(): void {
    if (this.#timer === undefined) return;
    (this.#deps.scheduler ?? nodeScheduler).clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #entry(key: string): Entry {
    let e = this.#entries.get(key);
    if (!e) {
      e = new Entry(`safety/${key}`);
      this.#entries.set(key, e);
    }
    return e;
  }

  #note(e: Entry, level: number, action: string, subject: string, message: string): void {
    e.count++;
    e.sinceTick++;
    e.total++;
    if (level > e.level) e.level = level;
    e.action = action;
    e.subject = subject;
    e.message = message;
    if (level > e.publishedLevel) {
      const nowNs = this.#clock.nowNs();
      e.lastSeenNs = nowNs;
      this.#publish([this.#take(e, nowNs)], nowNs);
    }
  }

  #clear(e: Entry, message: string): void {
    e.sticky = false;
    if (e.publishedLevel === DiagnosticStatus.OK && e.count === 0) return;
    const nowNs = this.#clock.nowNs();
    this.#publish([this.#recover(e, nowNs, message)], nowNs);
  }

  /** Builds the aggregate status and starts a new window. */
  #take(e: Entry, nowNs: bigint): DiagnosticStatusMsg {
    const windowMs = e.lastPublishNs === NEVER ? 0 : Number(nowNs - e.lastPublishNs) / 1e6;
    const values: KeyValue[] = [
      { key: 'count', value: String(e.count) },
      { key: 'window_ms', value: windowMs.toFixed(0) },
      { key: 'total', value: String(e.total) },
      { key: 'action', value: e.action },
      { key: 'subject', value: e.subject },
      { key: 'original', value: String(e.original) },
      { key: 'safe', value: String(e.safe) },
    ];
    if (Number.isFinite(e.maxDeviation) && e.maxDeviation > 0) values.push({ key: 'max_deviation', value: String(e.maxDeviation) });
    const what = e.message || `${e.action} ${e.count}× (last: ${e.subject} ${fmt(e.original)} -> ${fmt(e.safe)})`;
    const status: DiagnosticStatusMsg = { level: e.level, name: e.name, message: what, hardware_id: this.config.hardwareId, values };
    e.publishedLevel = e.level;
    e.lastPublishNs = nowNs;
    e.count = 0;
    e.level = DiagnosticStatus.OK;
    e.maxDeviation = 0;
    return status;
  }

  #recover(e: Entry, nowNs: bigint, message: string): DiagnosticStatusMsg {
    e.publishedLevel = DiagnosticStatus.OK;
    e.lastPublishNs = nowNs;
    e.count = 0;
    e.level = DiagnosticStatus.OK;
    e.maxDeviation = 0;
    return {
      level: DiagnosticStatus.OK, name: e.name, message, hardware_id: this.config.hardwareId,
      values: [{ key: 'total', value: String(e.total) }],
    };
  }

  #publish(status: DiagnosticStatusMsg[], nowNs: bigint): void {
    this.#deps.publish({ header: { stamp: timeFromNs(nowNs), frame_id: '' }, status });
    const log = this.#deps.log;
    if (!log) return;
    for (const s of status) {
      const level: LogLevel = s.level >= DiagnosticStatus.ERROR ? 'error' : s.level === DiagnosticStatus.WARN ? 'warn' : 'info';
      const fields: Record<string, unknown> = { diagnostic: s.name, level: s.level, hardwareId: s.hardware_id };
      for (const kv of s.values) fields[kv.key] = kv.value;
      log(level, `${s.name}: ${s.message}`, fields);
    }
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}
