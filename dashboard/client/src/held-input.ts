// The dead-man on the page: while an input is held, its message is re-sent at a fixed rate; the robot moves
// one watchdog period per message, so releasing the key, a frozen tab or a dropped socket all stop the arm.
export const HELD_INPUT_HZ = 25;

export class HeldInput {
  readonly #send: (msg: object) => void;
  readonly #held = new Map<string, () => object | null>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(send: (msg: object) => void) {
    this.#send = send;
  }

  get active(): boolean { return this.#held.size > 0; }
  has(key: string): boolean { return this.#held.has(key); }

  /** Starts (or replaces) a held input under `key`; make() builds the message each period (null: skip). */
  press(key: string, make: () => object | null): void {
    const first = !this.#held.has(key);
    this.#held.set(key, make);
    if (first) this.#emit(make);
    if (this.#timer === undefined) this.#timer = setInterval(() => this.#tick(), 1000 / HELD_INPUT_HZ);
  }

  release(key: string): void {
    this.#held.delete(key);
    if (this.#held.size === 0) this.stopAll();
  }

  stopAll(): void {
    this.#held.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    for (const make of this.#held.values()) this.#emit(make);
  }

  #emit(make: () => object | null): void {
    const msg = make();
    if (msg) this.#send(msg);
  }
}
