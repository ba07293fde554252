// The in-process executor. Publishing puts the message into each matched subscription's own queue (so QoS depth
// means something: a keep_last queue that overflows before it is drained drops its oldest) and appends a ticket
// (subscription, sequence) to one global FIFO. A turn hands out the tickets present when it starts, so messages
// reach callbacks in publish order across all topics, and a callback that publishes is served on the next turn.
import { MessageQueue } from './message-queue.js';

/** What the executor needs of a subscription. */
export interface QueuedSubscription {
  readonly destroyed: boolean;
  readonly queue: MessageQueue;
  /** Hands one message to the user callback. */
  deliver(message: unknown): void;
  /** For error reports: `subscription to "/topic" on node "name"`. */
  describe(): string;
}

/** `auto`: a publish schedules a turn with setImmediate. `manual`: only spinOnce()/drain() deliver. */
export type DeliveryMode = 'auto' | 'manual';

export class InProcExecutor {
  #ticketSubs: (QueuedSubscription | undefined)[] = new Array<QueuedSubscription | undefined>(64).fill(undefined);
  #ticketSeqs = new Float64Array(64);
  #head = 0;
  #length = 0;
  #nextSeq = 1;
  /** Messages sitting in subscription queues; tickets beyond these are stale (their message was dropped). */
  #queued = 0;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #closed = false;

  constructor(
    readonly mode: DeliveryMode,
    readonly reportError: (error: unknown, where: string) => void,
  ) {}

  /** Messages waiting for delivery. */
  get pending(): number {
    return this.#queued;
  }

  /** Queues `message` for `sub`; returns true if the subscription's queue dropped its oldest to make room. */
  enqueue(sub: QueuedSubscription, message: unknown): boolean {
    if (this.#closed) return false;
    const seq = this.#nextSeq++;
    const dropped = sub.queue.push(message, seq);
    if (!dropped) this.#queued++;
    this.#pushTicket(sub, seq);
    if (this.mode === 'auto' && this.#scheduled === undefined) this.#scheduled = setImmediate(this.#turn);
    return dropped;
  }

  /** A subscription was destroyed with `count` messages still queued. */
  discarded(count: number): void {
    this.#queued -= count;
  }

  /** Delivers the messages queued before this call, in publish order; returns how many reached callbacks. */
  spinOnce(): number {
    let tickets = this.#length;
    let delivered = 0;
    while (tickets-- > 0 && !this.#closed) {
      const sub = this.#ticketSubs[this.#head]!;
      const seq = this.#ticketSeqs[this.#head]!;
      this.#ticketSubs[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#ticketSubs.length;
      this.#length--;
      // A ticket whose message was dropped (keep_last overflow) or whose subscription is gone is skipped.
      if (sub.destroyed || sub.queue.peekSeq() !== seq) continue;
      const message = sub.queue.shift();
      this.#queued--;
      delivered++;
      try {
        sub.deliver(message);
      } catch (error) {
        this.reportError(error, sub.describe());
      }
    }
    return delivered;
  }

  /**
   * Turns until nothing is pending, including what callbacks publish meanwhile; returns the messages delivered.
   * Throws after `maxTurns`, which means callbacks keep publishing to each other.
   */
  drain(maxTurns = 10_000): number {
    let delivered = 0;
    for (let turn = 0; this.#length > 0 && !this.#closed; turn++) {
      if (turn === maxTurns) {
        throw new Error(
          `InProcGraph#drain: ${this.#queued} messages still pending after ${maxTurns} turns; callbacks keep publishing`,
        );
      }
      delivered += this.spinOnce();
    }
    return delivered;
  }

  close(): void {
    this.#closed = true;
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#ticketSubs.fill(undefined);
    this.#length = 0;
    this.#queued = 0;
  }

  readonly #turn = (): void => {
    this.#scheduled = undefined;
    this.spinOnce();
    if (this.#length > 0 && !this.#closed && this.#scheduled === undefined) this.#scheduled = setImmediate(this.#turn);
  };

  #pushTicket(sub: QueuedSubscription, seq: number): void {
    if (this.#length === this.#ticketSubs.length) {
      // Stale tickets pile up when a keep_last queue overflows faster than turns run (manual mode, bursts):
      // compact them away before growing.
      if (!this.#compact()) this.#grow();
    }
    const tail = (this.#head + this.#length) % this.#ticketSubs.length;
    this.#ticketSubs[tail] = sub;
    this.#ticketSeqs[tail] = seq;
    this.#length++;
  }

  /** Drops stale tickets in place; returns true if that freed at least a quarter of the ring. */
  #compact(): boolean {
    const capacity = this.#ticketSubs.length;
    const live: (QueuedSubscription | undefined)[] = new Array<QueuedSubscription | undefined>(capacity).fill(undefined);
    const liveSeqs = new Float64Array(capacity);
    let kept = 0;
    for (let i = 0; i < this.#length; i++) {
      const index = (this.#head + i) % capacity;
      const sub = this.#ticketSubs[index]!;
      const seq = this.#ticketSeqs[index]!;
      const headSeq = sub.queue.peekSeq();
      if (sub.destroyed || headSeq === -1 || seq < headSeq) continue;
      live[kept] = sub;
      liveSeqs[kept] = seq;
      kept++;
    }
    this.#ticketSubs = live;
    this.#ticketSeqs = liveSeqs;
    this.#head = 0;
    this.#length = kept;
    return kept <= (capacity * 3) / 4;
  }

  #grow(): void {
    const capacity = this.#ticketSubs.length;
    const subs: (QueuedSubscription | undefined)[] = new Array<QueuedSubscription | undefined>(capacity * 2).fill(undefined);
    const seqs = new Float64Array(capacity * 2);
    for (let i = 0; i < this.#length; i++) {
      const index = (this.#head + i) % capacity;
      subs[i] = this.#ticketSubs[index];
      seqs[i] = this.#ticketSeqs[index]!;
    }
    this.#ticketSubs = subs;
    this.#ticketSeqs = seqs;
    this.#head = 0;
  }
}
