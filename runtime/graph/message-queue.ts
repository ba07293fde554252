// A FIFO ring buffer of messages, each with the sequence number it was queued under. Bounded (keep_last: the
// oldest is dropped on overflow) or growing (keep_all). Pushing and shifting allocate nothing once it is sized.

export class MessageQueue {
  #messages: unknown[];
  #seqs: Float64Array;
  #head = 0;
  #length = 0;
  readonly #bounded: boolean;

  /** `capacity`: the keep_last depth; Infinity for keep_all (starts small and doubles). */
  constructor(capacity: number) {
    this.#bounded = Number.isFinite(capacity);
    const initial = this.#bounded ? capacity : 16;
    this.#messages = new Array<unknown>(initial).fill(undefined);
    this.#seqs = new Float64Array(initial);
  }

  get length(): number {
    return this.#length;
  }

  /** Appends; returns true if the oldest message was dropped to make room. */
  push(message: unknown, seq: number): boolean {
    let dropped = false;
    if (this.#length === this.#messages.length) {
      if (this.#bounded) {
        this.#shiftUnchecked();
        dropped = true;
      } else {
        this.#grow();
      }
    }
    const tail = (this.#head + this.#length) % this.#messages.length;
    this.#messages[tail] = message;
    this.#seqs[tail] = seq;
    this.#length++;
    return dropped;
  }

  /** Sequence number of the oldest message; -1 when empty. */
  peekSeq(): number {
    return this.#length === 0 ? -1 : this.#seqs[this.#head]!;
  }

  /** Removes and returns the oldest message (undefined when empty; messages themselves are never undefined). */
  shift(): unknown {
    return this.#length === 0 ? undefined : this.#shiftUnchecked();
  }

  /** Visits the queued messages oldest first, without removing them. */
  forEach(visit: (message: unknown, seq: number) => void): void {
    const capacity = this.#messages.length;
    for (let i = 0; i < this.#length; i++) {
      const index = (this.#head + i) % capacity;
      visit(this.#messages[index], this.#seqs[index]!);
    }
  }

  clear(): void {
    this.#messages.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  #shiftUnchecked(): unknown {
    const message = this.#messages[this.#head];
    this.#messages[this.#head] = undefined; // let the message be collected
    this.#head = (this.#head + 1) % this.#messages.length;
    this.#length--;
    return message;
  }

  #grow(): void {
    const capacity = this.#messages.length * 2;
    const messages = new Array<unknown>(capacity).fill(undefined);
    const seqs = new Float64Array(capacity);
    for (let i = 0; i < this.#length; i++) {
      const from = (this.#head + i) % this.#messages.length;
      messages[i] = this.#messages[from];
      seqs[i] = this.#seqs[from]!;
    }
    this.#messages = messages;
    this.#seqs = seqs;
    this.#head = 0;
  }
}
