import type { ConnectionState } from './ws-client.js';

// Two seconds smooths the bursts a busy page sees when frames queue up behind a slow render.
const RATE_WINDOW_MS = 2000;

/** The strip above the view: robot name, connection state and the measured joint_states rate. */
export class HeaderBar {
  readonly #robot: HTMLElement;
  readonly #state: HTMLElement;
  readonly #rate: HTMLElement;
  readonly #message: HTMLElement;
  /** Arrival times of recent frames (ms), oldest first; a ring would do, but 30 Hz × 1 s is tiny. */
  #arrivalsMs: number[] = [];

  constructor(root: HTMLElement) {
    this.#robot = find(root, '[data-robot]');
    this.#state = find(root, '[data-connection]');
    this.#rate = find(root, '[data-rate]');
    this.#message = find(root, '[data-message]');
    window.setInterval(() => this.#renderRate(), 500);
  }

  setRobot(name: string): void {
    this.#robot.textContent = name;
  }

  setConnection(state: ConnectionState): void {
    this.#state.dataset.state = state;
    this.#state.textContent = state === 'open' ? 'live' : state === 'connecting' ? 'connecting…' : 'offline';
  }

  setMessage(text: string, level: 'info' | 'warn' | 'error'): void {
    this.#message.textContent = text;
    this.#message.dataset.level = level;
  }

  tick(nowMs: number = performance.now()): void {
    this.#arrivalsMs.push(nowMs);
  }

  /** Frames per second over the last window. */
  rateHz(nowMs: number = performance.now()): number {
    const cutoff = nowMs - RATE_WINDOW_MS;
    let drop = 0;
    while (drop < this.#arrivalsMs.length && this.#arrivalsMs[drop] < cutoff) drop++;
    if (drop) this.#arrivalsMs.splice(0, drop);
    return (this.#arrivalsMs.length * 1000) / RATE_WINDOW_MS;
  }

  #renderRate(): void {
    this.#rate.textContent = `${this.rateHz().toFixed(1)} Hz`;
  }
}

function find(root: HTMLElement, selector: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`HeaderBar: missing ${selector} in the page`);
  return el;
}
