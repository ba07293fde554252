// Per-stream accounts of one episode: received, written and dropped counts, and for cameras (streams with a
// nominal rate) the achieved rate over tumbling windows and the gaps when the camera went silent.
// Everything is measured on capture stamps and the recorder's clock, which share a time base (the stack's clock),
// so a fast sim run and a wall-clock run give the same accounts.
import type { StreamRole } from './episode-config.js';
import type { GapReport, RateWarning, StreamReport } from './episode-sidecar.js';

export interface StreamMonitorOptions {
  topic: string;
  type: string;
  role: StreamRole | 'camera';
  /** Cameras only: enables gap and rate checks. */
  nominalHz?: number;
  episodeStartNs: bigint;
  gapThresholdS: number;
  rateWarnFraction: number;
  rateWindowS: number;
}

export type StreamEvent =
  | { kind: 'gap_open'; topic: string; sinceS: number }
  | { kind: 'gap'; gap: GapReport }
  | { kind: 'rate_low'; warning: RateWarning }
  | { kind: 'rate_ok'; topic: string; atS: number; achievedHz: number };

export class StreamMonitor {
  readonly topic: string;
  readonly type: string;
  readonly role: StreamRole | 'camera';
  readonly nominalHz: number | undefined;
  received = 0;
  written = 0;
  dropped = 0;
  /** Camera frames that never reached the recorder (gaps in Frame.seq): the tap fell behind the camera. */
  missed = 0;
  #lastSeq: number | undefined;
  readonly gaps: GapReport[] = [];
  readonly rateWarnings: RateWarning[] = [];
  readonly #startNs: bigint;
  readonly #gapNs: bigint;
  readonly #windowNs: bigint;
  readonly #warnHz: number;
  #firstNs: bigint | undefined;
  #lastNs: bigint | undefined;
  #gapOpen = false;
  #windowStartNs: bigint;
  #windowCount = 0;
  #rateLow = false;

  constructor(o: StreamMonitorOptions) {
    this.topic = o.topic;
    this.type = o.type;
    this.role = o.role;
    this.nominalHz = o.nominalHz;
    this.#startNs = o.episodeStartNs;
    this.#windowStartNs = o.episodeStartNs;
    const periodS = o.nominalHz ? 1 / o.nominalHz : 0;
    this.#gapNs = BigInt(Math.round(Math.max(o.gapThresholdS, 3 * periodS) * 1e9));
    this.#windowNs = BigInt(Math.round(o.rateWindowS * 1e9));
    this.#warnHz = (o.nominalHz ?? 0) * o.rateWarnFraction;
  }

  /** A message or frame arrived, captured at `stampNs`. Returns what it revealed (a gap that just closed). */
  receive(stampNs: bigint, seq?: number): StreamEvent[] {
    this.received++;
    if (seq !== undefined) {
      if (this.#lastSeq !== undefined && seq > this.#lastSeq + 1) this.missed += seq - this.#lastSeq - 1;
      this.#lastSeq = seq;
    }
    const events: StreamEvent[] = [];
    if (this.nominalHz !== undefined) {
      const before = this.#lastNs ?? this.#startNs;
      if (stampNs - before > this.#gapNs) events.push({ kind: 'gap', gap: this.#addGap(before, stampNs, false) });
      this.#gapOpen = false;
      this.#evaluateRate(stampNs, events);
      this.#windowCount++;
    }
    this.#firstNs ??= stampNs;
    if (this.#lastNs === undefined || stampNs > this.#lastNs) this.#lastNs = stampNs;
    return events;
  }

  /** Periodic check at `nowNs`: a camera silent past the threshold opens a gap (reported once), and rates. */
  check(nowNs: bigint): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (this.nominalHz === undefined) return events;
    const last = this.#lastNs ?? this.#startNs;
    if (!this.#gapOpen && nowNs - last > this.#gapNs) {
      this.#gapOpen = true;
      events.push({ kind: 'gap_open', topic: this.topic, sinceS: this.#rel(last) });
    }
    this.#evaluateRate(nowNs, events);
    return events;
  }

  /** The episode stopped at `stopNs`: a camera still silent ends with a gap open at stop. */
  finish(stopNs: bigint): StreamEvent[] {
    if (this.nominalHz === undefined) return [];
    const last = this.#lastNs ?? this.#startNs;
    if (stopNs - last > this.#gapNs) return [{ kind: 'gap', gap: this.#addGap(last, stopNs, true) }];
    return [];
  }

  report(): StreamReport {
    const first = this.#firstNs, last = this.#lastNs;
    const spanS = first !== undefined && last !== undefined ? Number(last - first) / 1e9 : 0;
    const r: StreamReport = {
      topic: this.topic, type: this.type, role: this.role,
      received: this.received, written: this.written, dropped: this.dropped, missed: this.missed,
      achievedHz: spanS > 0 ? round3((this.received - 1) / spanS) : 0,
    };
    if (this.nominalHz !== undefined) r.nominalHz = this.nominalHz;
    if (first !== undefined) r.firstS = this.#rel(first);
    if (last !== undefined) r.lastS = this.#rel(last);
    return r;
  }

  #evaluateRate(nowNs: bigint, events: StreamEvent[]): void {
    const elapsedNs = nowNs - this.#windowStartNs;
    if (elapsedNs < this.#windowNs || this.#windowNs <= 0n) return;
    const hz = round3(this.#windowCount / (Number(elapsedNs) / 1e9));
    if (hz < this.#warnHz) {
      if (!this.#rateLow) {
        const warning: RateWarning = { topic: this.topic, atS: this.#rel(nowNs), achievedHz: hz, nominalHz: this.nominalHz! };
        this.rateWarnings.push(warning);
        events.push({ kind: 'rate_low', warning });
      }
      this.#rateLow = true;
    } else if (this.#rateLow) {
      this.#rateLow = false;
      events.push({ kind: 'rate_ok', topic: this.topic, atS: this.#rel(nowNs), achievedHz: hz });
    }
    this.#windowStartNs = nowNs;
    this.#windowCount = 0;
  }

  #addGap(fromNs: bigint, toNs: bigint, openAtStop: boolean): GapReport {
    const gap: GapReport = {
      topic: this.topic, startS: this.#rel(fromNs), endS: this.#rel(toNs),
      durationS: round3(Number(toNs - fromNs) / 1e9), openAtStop,
    };
    this.gaps.push(gap);
    return gap;
  }

  #rel(ns: bigint): number {
    return round3(Number(ns - this.#startNs) / 1e9);
  }
}

/** How an event is logged, and what goes to the episode's event log (`/recorder/events`), if anything. */
export function describeStreamEvent(e: StreamEvent, rateWarnFraction: number): {
  level: 'info' | 'warn';
  line: string;
  record?: { event: string; data: Record<string, unknown> };
} {
  switch (e.kind) {
    case 'gap_open':
      return { level: 'warn', line: `${e.topic}: no frame since t=${e.sinceS} s` };
    case 'gap': {
      const g = e.gap;
      const line = `${g.topic}: gap of ${g.durationS} s (t=${g.startS}..${g.endS} s${g.openAtStop ? ', still silent at stop' : ''})`;
      return { level: 'warn', line, record: { event: 'camera_gap', data: { ...g } } };
    }
    case 'rate_low': {
      const w = e.warning;
      const line = `${w.topic}: ${w.achievedHz} Hz, below ${Math.round(rateWarnFraction * 100)}% of ${w.nominalHz} Hz`;
      return { level: 'warn', line, record: { event: 'rate_low', data: { ...w } } };
    }
    case 'rate_ok':
      return { level: 'info', line: `${e.topic}: rate back to ${e.achievedHz} Hz` };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
