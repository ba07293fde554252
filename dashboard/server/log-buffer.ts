import type { LogEntryWire } from './ops-protocol.js';

/**
 * The newest operations log entries in a fixed ring, with increasing ids so each client sends only what came
 * after its last id. A client too slow to keep up skips the entries that fell out of the ring: memory stays
 * bounded whatever the clients do.
 */
export class LogBuffer {
  readonly #capacity: number;
  readonly #entries: LogEntryWire[] = [];
  #nextId = 1;

  constructor(capacity = 500) {
    this.#capacity = capacity;
  }

  get lastId(): number { return this.#nextId - 1; }

  push(entry: Omit<LogEntryWire, 'id'>): LogEntryWire {
    const full = { ...entry, id: this.#nextId++ } as LogEntryWire;
    this.#entries.push(full);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    return full;
  }

  /** Entries with id > afterId, oldest first, at most `max` (the newest of them). */
  after(afterId: number, max = 200): LogEntryWire[] {
    let i = this.#entries.length;
    while (i > 0 && this.#entries[i - 1].id > afterId) i--;
    const out = this.#entries.slice(i);
    return out.length > max ? out.slice(out.length - max) : out;
  }
}
