import type { LogEntryWire } from '../../server/ops-protocol.js';

const MAX_ROWS = 300;

/** A scrolling log: newest first, bounded. `filter` picks the entries this log shows (events or voice). */
export class EventLog {
  readonly root: HTMLElement;
  count = 0;
  readonly #list: HTMLOListElement;

  constructor(title: string, readonly filter: (e: LogEntryWire) => boolean, readonly columns: 'events' | 'voice') {
    this.root = document.createElement('section');
    this.root.className = `event-log log-${columns}`;
    const h = document.createElement('h3');
    h.textContent = title;
    this.#list = document.createElement('ol');
    this.root.append(h, this.#list);
  }

  add(entries: readonly LogEntryWire[]): void {
    const frag = document.createDocumentFragment();
    for (const e of entries) {
      if (!this.filter(e)) continue;
      const li = document.createElement('li');
      li.dataset.kind = e.kind;
      const time = new Date(e.at).toLocaleTimeString();
      const parts = this.columns === 'voice'
        ? [time, e.robot, e.operator ?? '—', `“${e.text}”`, e.intent ?? '', e.status ?? '']
        : [time, e.robot, e.kind, e.operator ?? '', e.text];
      for (const p of parts) {
        const span = document.createElement('span');
        span.textContent = p;
        li.append(span);
      }
      frag.prepend(li);
      this.count++;
    }
    this.#list.prepend(frag);
    while (this.#list.children.length > MAX_ROWS) this.#list.lastElementChild!.remove();
  }

  /** An ack arrived for a voice command: show its status on the transcript's row. */
  ackFor(entries: readonly LogEntryWire[]): void {
    for (const e of entries) {
      if (e.kind !== 'ack' || !e.ref?.startsWith('voice-')) continue;
      this.add([{ ...e, kind: 'voice', text: `ack ${e.status ?? ''}`, intent: e.intent }]);
    }
  }
}
