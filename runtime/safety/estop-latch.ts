// The e-stop latch. trip() must stop the arm before it returns: it calls every hold callback synchronously, right
// here, with no queue, promise or timer in between, so a stop word or a dashboard button is never delayed by
// inference, the network or a backlog. Releasing is never automatic: only an explicit reset by a supervisor.
import type { NowClock } from './time.js';
import { monotonicClock } from './time.js';

export type OperatorRole = 'viewer' | 'operator' | 'supervisor';

export interface EStopTrip {
  /** Who pulled it: `mqtt:stop-word`, `dashboard:alice`, `watchdog`... */
  source: string;
  reason: string;
  atNs: bigint;
}

export interface EStopResetBy {
  operator: string;
  role: OperatorRole;
}

export type EStopResetResult =
  | { ok: true; wasLatched: boolean }
  | { ok: false; refusal: string };

export type HoldCallback = (reason: string) => void;

export interface EStopLatchOptions {
  clock?: NowClock;
  /** A hold callback threw; the others still ran. Default: console.error, since stopping must not throw. */
  onHoldError?: (error: unknown, trip: EStopTrip) => void;
  /** Told after each trip and each release, e.g. diagnostics. Called after the hold callbacks. */
  onTrip?: (trip: EStopTrip) => void;
  onRelease?: (by: EStopResetBy, trip: EStopTrip | undefined) => void;
}

export class EStopLatch {
  readonly #clock: NowClock;
  readonly #holds: HoldCallback[] = [];
  readonly #options: EStopLatchOptions;
  #latched = false;
  #lastTrip: EStopTrip | undefined;
  #epoch = 0;

  constructor(options: EStopLatchOptions = {}) {
    this.#clock = options.clock ?? monotonicClock;
    this.#options = options;
  }

  get latched(): boolean {
    return this.#latched;
  }

  get lastTrip(): Readonly<EStopTrip> | undefined {
    return this.#lastTrip;
  }

  /** Counts trips; the safety filter re-seeds from the measured state when it changes, even if released since. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Registers a callback run synchronously inside trip() (e.g. `(r) => driver.hold(r)`). Returns an unregister. */
  addHold(callback: HoldCallback): () => void {
    this.#holds.push(callback);
    return () => {
      const i = this.#holds.indexOf(callback);
      if (i >= 0) this.#holds.splice(i, 1);
    };
  }

  /**
   * Latches and holds the arm before returning. Tripping again while latched holds again (a second press must
   * still stop, e.g. if a driver ignored the first) and records the newer trip.
   */
  trip(source: string, reason: string): void {
    this.#latched = true;
    this.#epoch++;
    const trip: EStopTrip = { source, reason, atNs: this.#clock.nowNs() };
    this.#lastTrip = trip;
    const holdReason = `e-stop (${source}): ${reason}`;
    // A copy, so a callback that unregisters itself does not make us skip the next one.
    for (const hold of this.#holds.slice()) {
      try {
        hold(holdReason);
      } catch (error) {
        (this.#options.onHoldError ?? defaultHoldError)(error, trip);
      }
    }
    this.#options.onTrip?.(trip);
  }

  /** Releases only for a supervisor; anyone else gets a refusal that says who may. */
  reset(by: EStopResetBy): EStopResetResult {
    if (by.role !== 'supervisor') {
      return {
        ok: false,
        refusal: `EStopLatch#reset: role '${by.role}' (${by.operator || 'unnamed'}) may not release the e-stop; a supervisor must`,
      };
    }
    if (!by.operator) {
      return { ok: false, refusal: 'EStopLatch#reset: the releasing supervisor must be named (by.operator)' };
    }
    const wasLatched = this.#latched;
    this.#latched = false;
    if (wasLatched) this.#options.onRelease?.(by, this.#lastTrip);
    return { ok: true, wasLatched };
  }
}

function defaultHoldError(error: unknown, trip: EStopTrip): void {
  console.error(`EStopLatch#trip: a hold callback threw during e-stop from ${trip.source}:`, error);
}
