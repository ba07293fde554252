// Smooth joints between 30 Hz states at the display's rate: the view shows the arm one state period in the
// past, interpolating between the two newest states (snapshot interpolation, as networked games do). The cost
// is one period of added display latency; the gain is motion without 30 Hz steps on a 60 Hz screen.
export class StateInterpolator {
  #prev: number[] | null = null;
  #next: number[] | null = null;
  #prevAtMs = 0;
  #nextAtMs = 0;
  readonly #out: number[] = [];

  /** A new state arrived (at nowMs, page clock). */
  push(position: readonly number[], nowMs: number = performance.now()): void {
    if (this.#next && this.#next.length === position.length) {
      this.#prev = this.#next;
      this.#prevAtMs = this.#nextAtMs;
    } else {
      this.#prev = [...position];
      this.#prevAtMs = nowMs;
    }
    this.#next = [...position];
    this.#nextAtMs = nowMs;
  }

  /** True while the shown pose still changes (keep rendering). */
  moving(nowMs: number = performance.now()): boolean {
    return this.#next !== null && nowMs - this.#nextAtMs < Math.max(16, this.#nextAtMs - this.#prevAtMs) + 16;
  }

  /** The pose to draw now, or null before the first state. */
  sample(nowMs: number = performance.now()): readonly number[] | null {
    const prev = this.#prev, next = this.#next;
    if (!prev || !next) return null;
    // Capped: after a gap (reconnect, hidden tab) catch up within 100 ms rather than replay the gap slowly.
    const span = Math.min(100, this.#nextAtMs - this.#prevAtMs);
    // Draw the previous state at the next one's arrival, reaching the next one a period later.
    const t = span > 0 ? Math.min(1, Math.max(0, (nowMs - this.#nextAtMs) / span)) : 1;
    this.#out.length = next.length;
    for (let i = 0; i < next.length; i++) this.#out[i] = prev[i] + (next[i] - prev[i]) * t;
    return this.#out;
  }
}
