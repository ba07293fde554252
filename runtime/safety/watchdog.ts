// Holds the arm when the command stream goes stale (no fresh command within timeoutMs, like MoveIt Servo's
// incoming-command timeout) or when the loop overruns maxConsecutiveOverruns ticks in a row.
//
// It checks on its own timer, not from the loop, so a loop parked in a long *asynchronous* inference (awaiting a
// worker) is still covered. A stuck *synchronous* main thread (a busy loop, a native call) also stops this timer:
// only a watchdog in another thread sees that — use WorkerWatchdog (watchdog-worker.ts) beside this one.
import { resolveCommandWatchdogConfig, type CommandWatchdogConfig } from './safety-config.js';
import { monotonicClock, nodeScheduler, type NowClock, type Scheduler } from './time.js';

export type WatchdogCause = 'timeout' | 'overruns';
/** idle: no command seen since start(); armed: watching; holding: held, waiting for a fresh command. */
export type WatchdogState = 'stopped' | 'idle' | 'armed' | 'holding';

export interface CommandWatchdogDeps {
  /** Called once per episode of staleness, e.g. `(r) => driver.hold(r)`. */
  hold: (reason: string, cause: WatchdogCause) => void;
  clock?: NowClock;
  scheduler?: Scheduler;
  /** A fresh command ended a hold episode (for diagnostics' OK). */
  onRecover?: () => void;
  onHoldError?: (error: unknown) => void;
}

export class CommandWatchdog {
  readonly config: Readonly<CommandWatchdogConfig>;
  readonly #deps: CommandWatchdogDeps;
  readonly #clock: NowClock;
  readonly #scheduler: Scheduler;
  readonly #timeoutNs: bigint;
  #timer: unknown;
  #state: WatchdogState = 'stopped';
  #lastFreshNs = 0n;
  #lastStampNs: bigint | undefined;
  #overruns = 0;
  #holdCount = 0;
  #lastHoldReason = '';
  readonly #check = (): void => this.check(this.#clock.nowNs());

  constructor(config: Partial<CommandWatchdogConfig>, deps: CommandWatchdogDeps) {
    this.config = Object.freeze(resolveCommandWatchdogConfig(config));
    this.#deps = deps;
    this.#clock = deps.clock ?? monotonicClock;
    this.#scheduler = deps.scheduler ?? nodeScheduler;
    this.#timeoutNs = BigInt(Math.round(this.config.timeoutMs * 1e6));
  }

  get state(): WatchdogState {
    return this.#state;
  }

  /** Hold episodes so far. */
  get holdCount(): number {
    return this.#holdCount;
  }

  get consecutiveOverruns(): number {
    return this.#overruns;
  }

  get lastHoldReason(): string {
    return this.#lastHoldReason;
  }

  /**
   * Starts the timer. The watch begins with the first command: before it there is no stream to go stale, and an
   * activated driver already holds its measured position.
   */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#state = 'idle';
    this.#overruns = 0;
    this.#lastStampNs = undefined;
    this.#timer = this.#scheduler.setInterval(this.#check, this.config.checkPeriodMs);
  }

  stop(): void {
    if (this.#state === 'stopped') return;
    this.#scheduler.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#state = 'stopped';
  }

  /**
   * Call with every command's stamp. Only a stamp newer than the last one counts as fresh, so a re-sent old
   * command does not keep the arm alive. Staleness is measured from when the fresh command arrived.
   */
  feed(stampNs: bigint): void {
    if (this.#state === 'stopped') return;
    if (this.#lastStampNs !== undefined && stampNs <= this.#lastStampNs) return;
    this.#lastStampNs = stampNs;
    this.#lastFreshNs = this.#clock.nowNs();
    if (this.#state === 'holding') {
      if (this.#overruns >= this.config.maxConsecutiveOverruns) return;
      this.#state = 'armed';
      this.#deps.onRecover?.();
    } else {
      this.#state = 'armed';
    }
  }

  /** The loop's tick ran past its deadline. Holds at once when the run of overruns reaches the limit. */
  reportOverrun(): void {
    this.#overruns++;
    if (this.#state === 'armed' && this.#overruns >= this.config.maxConsecutiveOverruns) {
      this.#hold('overruns', `watchdog: ${this.#overruns} consecutive loop overruns (limit ${this.config.maxConsecutiveOverruns})`);
    }
  }

  /** The loop's tick met its deadline: the run of overruns is broken. */
  reportOnTime(): void {
    this.#overruns = 0;
  }

  /** The timer's check, public for fake-time tests and for loops that want to check inline too. */
  check(nowNs: bigint): void {
    if (this.#state !== 'armed') return;
    const ageNs = nowNs - this.#lastFreshNs;
    if (ageNs > this.#timeoutNs) {
      const ageMs = Number(ageNs) / 1e6;
      this.#hold('timeout', `watchdog: no fresh command for ${ageMs.toFixed(1)} ms (timeout ${this.config.timeoutMs} ms)`);
    }
  }

  #hold(cause: WatchdogCause, reason: string): void {
    this.#state = 'holding';
    this.#holdCount++;
    this.#lastHoldReason = reason;
    try {
      this.#deps.hold(reason, cause);
    } catch (error) {
      (this.#deps.onHoldError ?? ((e) => console.error('CommandWatchdog: hold callback threw:', e)))(error);
    }
  }
}
