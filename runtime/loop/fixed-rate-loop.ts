// A fixed-rate loop in the manner of ros2_control's controller manager: sleep to absolute deadlines
// (next += period, so errors never accumulate), hand each stage the measured period, and keep honest accounts
// of lateness, period jitter and overruns.
import type { Clock } from './clock.js';
import { SampleWindow } from './sample-window.js';

export interface FixedRateLoopConfig {
  rateHz: number;
  /** Stop after this many ticks (undefined = run until stop()). */
  maxTicks?: number;
}

export interface TickInfo {
  index: number;
  /** When this tick was due. */
  scheduledNs: bigint;
  /** When it actually started. */
  startedNs: bigint;
  /** Measured time since the previous tick started (the nominal period on the first tick). */
  periodS: number;
  nominalPeriodS: number;
}

export type TickFn = (tick: TickInfo) => void | Promise<void>;

export interface LoopStats {
  ticks: number;
  rateHz: number;
  /** Achieved rate: ticks over elapsed clock time. */
  achievedRateHz: number;
  /** |measured period − nominal period|. */
  jitterP50Ms: number;
  jitterP99Ms: number;
  jitterMaxMs: number;
  /** Wake-up lateness: start − deadline. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  /** Tick work time. */
  workP50Ms: number;
  workP99Ms: number;
  /** Ticks whose work ran past the next deadline; the missed deadlines are skipped, not caught up. */
  overruns: number;
  skippedDeadlines: number;
}

export class FixedRateLoop {
  readonly #clock: Clock;
  readonly #periodNs: bigint;
  readonly #config: FixedRateLoopConfig;
  readonly #tick: TickFn;
  readonly #jitterMs = new SampleWindow();
  readonly #latenessMs = new SampleWindow();
  readonly #workMs = new SampleWindow();
  readonly #info: TickInfo;
  #running = false;
  #ticks = 0;
  #overruns = 0;
  #skipped = 0;
  #startNs = 0n;
  #ticksAtReset = 0;
  #lastStartNs = 0n;
  #done: Promise<void> | undefined;
  #overrunListeners: ((consecutive: number) => void)[] = [];
  #consecutiveOverruns = 0;

  constructor(config: FixedRateLoopConfig, clock: Clock, tick: TickFn) {
    if (!(config.rateHz > 0 && config.rateHz <= 10_000)) {
      throw new RangeError(`FixedRateLoop: rateHz must be in (0, 10000], got ${config.rateHz}`);
    }
    this.#config = config;
    this.#clock = clock;
    this.#tick = tick;
    this.#periodNs = BigInt(Math.round(1e9 / config.rateHz));
    const nominalPeriodS = Number(this.#periodNs) / 1e9;
    this.#info = { index: 0, scheduledNs: 0n, startedNs: 0n, periodS: nominalPeriodS, nominalPeriodS };
  }

  get running(): boolean {
    return this.#running;
  }

  get periodNs(): bigint {
    return this.#periodNs;
  }

  /** Called after every tick with the count of consecutive overruns (0 when on time); the watchdog listens. */
  onOverrun(listener: (consecutive: number) => void): void {
    this.#overrunListeners.push(listener);
  }

  /** Starts the loop; the promise resolves when it stops (stop(), maxTicks, or a tick throws — then it rejects). */
  start(): Promise<void> {
    if (this.#running) throw new Error('FixedRateLoop#start: already running');
    this.#running = true;
    this.#done = this.#run();
    return this.#done;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done?.catch(() => undefined);
  }

  async #run(): Promise<void> {
    const clock = this.#clock;
    const period = this.#periodNs;
    const nominalMs = Number(period) / 1e6;
    let deadline = clock.nowNs();
    this.#startNs = deadline;
    this.#lastStartNs = deadline;
    const info = this.#info;
    try {
      while (this.#running) {
        await clock.sleepUntilNs(deadline);
        if (!this.#running) break;
        const started = clock.nowNs();
        const periodNsMeasured = this.#ticks === 0 ? period : started - this.#lastStartNs;
        this.#lastStartNs = started;
        info.index = this.#ticks;
        info.scheduledNs = deadline;
        info.startedNs = started;
        info.periodS = Number(periodNsMeasured) / 1e9;
        if (this.#ticks > 0) this.#jitterMs.push(Math.abs(Number(periodNsMeasured) / 1e6 - nominalMs));
        this.#latenessMs.push(Number(started - deadline) / 1e6);

        await this.#tick(info);

        const finished = clock.nowNs();
        this.#workMs.push(Number(finished - started) / 1e6);
        this.#ticks++;
        deadline += period;
        if (finished > deadline) {
          this.#overruns++;
          this.#consecutiveOverruns++;
          // Skip the deadlines we missed instead of bursting to catch up: a burst of commands is worse than a gap.
          const missed = (finished - deadline) / period + 1n;
          this.#skipped += Number(missed);
          deadline += missed * period;
        } else {
          this.#consecutiveOverruns = 0;
        }
        for (const listener of this.#overrunListeners) listener(this.#consecutiveOverruns);
        if (this.#config.maxTicks !== undefined && this.#ticks >= this.#config.maxTicks) break;
      }
    } finally {
      this.#running = false;
    }
  }

  /** Forgets the accounts so far (e.g. JIT warm-up) and measures from the next tick on. */
  resetStats(): void {
    this.#jitterMs.clear();
    this.#latenessMs.clear();
    this.#workMs.clear();
    this.#ticksAtReset = this.#ticks;
    this.#startNs = this.#lastStartNs;
    this.#overruns = 0;
    this.#skipped = 0;
  }

  /** Ticks per second since the start (or resetStats), without sorting anything: cheap enough to poll often. */
  get achievedRateHz(): number {
    const elapsedS = Number(this.#lastStartNs - this.#startNs) / 1e9;
    const hz = elapsedS > 0 ? (this.#ticks - this.#ticksAtReset - 1) / elapsedS : 0;
    return Number.isFinite(hz) ? Math.round(hz * 1e4) / 1e4 : 0;
  }

  /** Every account; sorts the sample windows for the percentiles, so call it at a human rate. */
  stats(): LoopStats {
    const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : 0);
    return {
      ticks: this.#ticks - this.#ticksAtReset,
      rateHz: this.#config.rateHz,
      achievedRateHz: this.achievedRateHz,
      jitterP50Ms: round(this.#jitterMs.percentile(50)),
      jitterP99Ms: round(this.#jitterMs.percentile(99)),
      jitterMaxMs: round(this.#jitterMs.max),
      latenessP50Ms: round(this.#latenessMs.percentile(50)),
      latenessP99Ms: round(this.#latenessMs.percentile(99)),
      workP50Ms: round(this.#workMs.percentile(50)),
      workP99Ms: round(this.#workMs.percentile(99)),
      overruns: this.#overruns,
      skippedDeadlines: this.#skipped,
    };
  }
}
