// A watchdog in its own thread, for the one case CommandWatchdog cannot cover: a main thread stuck in synchronous
// work (a native inference call, a busy loop), which also freezes every timer on it.
//
// The loop bumps a heartbeat counter in a SharedArrayBuffer every tick (Atomics.add: no clock read, no
// allocation). The worker sleeps in Atomics.wait, notes when it last saw the counter move (CLOCK_MONOTONIC, the
// same time base in every thread) and, when that is older than timeoutMs, sets a hold flag in the same buffer and
// posts a message. A stall is flagged at most timeoutMs + 2·checkPeriodMs after the last beat. The flag is what makes it safe: the main side polls it before every driver write, so the first write
// after the thread comes back is replaced by a hold. The message covers a loop that is not writing at all: for
// the sim driver (on the main thread, so the arm cannot move while the thread is stuck) the hold is applied on
// the next event turn. A driver with its own thread or process can read the flag itself (see `buffer`).
import { Worker } from 'node:worker_threads';
import { resolveCommandWatchdogConfig } from './safety-config.js';

export interface WorkerWatchdogConfig {
  /** Hold when the heartbeat is older than this. */
  timeoutMs: number;
  /** How often the worker looks; default timeoutMs / 4. */
  checkPeriodMs: number;
}

export interface WorkerWatchdogDeps {
  /** Run on the main thread, once per stall, e.g. `(r) => driver.hold(r)`. */
  hold: (reason: string) => void;
  onHoldError?: (error: unknown) => void;
}

/** The worker's record of its last trip, read from the shared buffer (times are CLOCK_MONOTONIC ns). */
export interface WorkerWatchdogTrip {
  /** When the worker first saw the last heartbeat (at most one check period after it). */
  beatSeenAtNs: bigint;
  /** When the worker set the hold flag. */
  flaggedAtNs: bigint;
  /** flaggedAtNs − beatSeenAtNs, ms. */
  staleMs: number;
  /** Stalls detected so far. */
  episodes: number;
}

// Layout: BigInt64 [beatSeenAt, flaggedAt, pad, pad] then Int32 [holdFlag, stop, episodes, heartbeat].
const SEEN_AT = 0, FLAGGED_AT = 1;
const FLAG = 0, STOP = 1, EPISODES = 2, HEARTBEAT = 3;
const BIG_BYTES = 4 * 8;
const BUFFER_BYTES = BIG_BYTES + 4 * 4;

// Plain JS run with eval: no TypeScript loader and no module resolution in the worker, so it starts in
// milliseconds and runs the same from tsx and from the compiled dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { buffer, timeoutNs, checkMs } = workerData;
const big = new BigInt64Array(buffer, 0, 4);
const i32 = new Int32Array(buffer, ${BIG_BYTES}, 4);
// The counter starts at 0 in a fresh buffer; beats made before this code ran still count as seen.
let lastBeat = 0, seenAt = 0n, trippedBeat = NaN;
for (;;) {
  Atomics.wait(i32, ${STOP}, 0, checkMs);
  if (Atomics.load(i32, ${STOP}) !== 0) break;
  const beat = Atomics.load(i32, ${HEARTBEAT});
  const now = process.hrtime.bigint();
  if (beat !== lastBeat) { lastBeat = beat; seenAt = now; continue; }
  // Not armed before the first beat; one trip per stale beat.
  if (seenAt === 0n || beat === trippedBeat || now - seenAt <= timeoutNs) continue;
  trippedBeat = beat;
  Atomics.store(big, ${SEEN_AT}, seenAt);
  Atomics.store(big, ${FLAGGED_AT}, now);
  Atomics.add(i32, ${EPISODES}, 1);
  Atomics.store(i32, ${FLAG}, 1);
  parentPort.postMessage({ beatSeenAtNs: seenAt, flaggedAtNs: now });
}
`;

export class WorkerWatchdog {
  readonly config: Readonly<WorkerWatchdogConfig>;
  /** The shared buffer, for a driver that wants to read the hold flag itself. */
  readonly buffer: SharedArrayBuffer;
  readonly #big: BigInt64Array;
  readonly #i32: Int32Array;
  readonly #worker: Worker;
  readonly #deps: WorkerWatchdogDeps;
  readonly #exited: Promise<void>;

  /** Starts the worker and resolves once it runs. The watch begins with the first beat(). */
  static async start(config: Partial<WorkerWatchdogConfig>, deps: WorkerWatchdogDeps): Promise<WorkerWatchdog> {
    const watchdog = new WorkerWatchdog(config, deps);
    const worker = watchdog.#worker;
    // Referenced only while we wait on it; a running watchdog must not keep the process alive.
    worker.ref();
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('online', resolve);
        worker.once('error', reject);
      });
    } finally {
      worker.unref();
    }
    return watchdog;
  }

  private constructor(config: Partial<WorkerWatchdogConfig>, deps: WorkerWatchdogDeps) {
    const resolved = resolveCommandWatchdogConfig(
      { timeoutMs: config.timeoutMs, checkPeriodMs: config.checkPeriodMs },
      'WorkerWatchdogConfig',
    );
    this.config = Object.freeze({ timeoutMs: resolved.timeoutMs, checkPeriodMs: resolved.checkPeriodMs });
    this.#deps = deps;
    this.buffer = new SharedArrayBuffer(BUFFER_BYTES);
    this.#big = new BigInt64Array(this.buffer, 0, 4);
    this.#i32 = new Int32Array(this.buffer, BIG_BYTES, 4);
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        buffer: this.buffer,
        timeoutNs: BigInt(Math.round(this.config.timeoutMs * 1e6)),
        checkMs: this.config.checkPeriodMs,
      },
    });
    this.#worker.unref();
    this.#worker.on('message', () => this.pollBeforeWrite());
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** The loop is alive: call every tick (and during long async waits, if they should not count as a stall). */
  beat(): void {
    Atomics.add(this.#i32, HEARTBEAT, 1);
  }

  /**
   * Call before every driver write. When the worker flagged a stall, runs the hold callback (once per stall,
   * whichever of this and the worker's message comes first) and returns true: skip the write, reset the safety
   * filter. Allocates nothing when there is no stall.
   */
  pollBeforeWrite(): boolean {
    if (Atomics.load(this.#i32, FLAG) === 0 || Atomics.exchange(this.#i32, FLAG, 0) === 0) return false;
    const trip = this.lastTrip!;
    const reason = `watchdog-worker: main thread stalled ${trip.staleMs.toFixed(0)} ms without a heartbeat (timeout ${this.config.timeoutMs} ms)`;
    try {
      this.#deps.hold(reason);
    } catch (error) {
      (this.#deps.onHoldError ?? ((e) => console.error('WorkerWatchdog: hold callback threw:', e)))(error);
    }
    return true;
  }

  /** A hold was flagged and not yet taken by pollBeforeWrite. */
  get holdPending(): boolean {
    return Atomics.load(this.#i32, FLAG) !== 0;
  }

  get lastTrip(): WorkerWatchdogTrip | undefined {
    const episodes = Atomics.load(this.#i32, EPISODES);
    if (episodes === 0) return undefined;
    const beatSeenAtNs = Atomics.load(this.#big, SEEN_AT);
    const flaggedAtNs = Atomics.load(this.#big, FLAGGED_AT);
    return { beatSeenAtNs, flaggedAtNs, staleMs: Number(flaggedAtNs - beatSeenAtNs) / 1e6, episodes };
  }

  async stop(): Promise<void> {
    this.#worker.ref();
    Atomics.store(this.#i32, STOP, 1);
    Atomics.notify(this.#i32, STOP);
    await this.#exited;
  }
}
