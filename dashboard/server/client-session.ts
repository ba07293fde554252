import type { FrameStore } from './frame-store.js';
import { TOPIC_NAMES, type ServerMessage, type TopicName } from './protocol.js';
import { WS_OPEN, type WebSocketLike } from './web-socket-like.js';

export interface ClientSessionConfig {
  /** Least time between two stream flushes to this client (1000/30 for 30 Hz). */
  minIntervalMs: number;
  /** Above this many queued bytes the client is slow: stream frames wait, and older ones are dropped. */
  maxBufferedBytes: number;
  nowMs?: () => number;
  /** A frame that failed to encode or send; the session carries on with the next one. */
  onError?: (err: unknown) => void;
}

export interface ClientSessionStats {
  framesSent: number;
  /** Flushes skipped because the socket was backed up; the newest frame goes out once it drains. */
  flushesDeferred: number;
  /** Replies (status, pong) not sent because the socket was backed up. */
  repliesDropped: number;
}

/**
 * One connected client: what it subscribed to, what it has been sent, and its flush timer. Streams are
 * pulled from the FrameStore at flush time, so a client only ever gets the newest frame and a slow one costs
 * the server a bounded amount of memory (the socket's buffer bound, plus nothing per missed frame).
 */
export class ClientSession {
  readonly id: number;
  readonly stats: ClientSessionStats = { framesSent: 0, flushesDeferred: 0, repliesDropped: 0 };
  readonly #ws: WebSocketLike;
  readonly #store: FrameStore;
  readonly #config: ClientSessionConfig;
  readonly #nowMs: () => number;
  #topics = new Set<TopicName>(TOPIC_NAMES);
  #sentSeq = new Map<TopicName, number>();
  #sentNamesVersion: number;
  #lastFlushMs = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(id: number, ws: WebSocketLike, store: FrameStore, config: ClientSessionConfig) {
    this.id = id;
    this.#ws = ws;
    this.#store = store;
    this.#config = config;
    this.#nowMs = config.nowMs ?? Date.now;
    // The hello carries the names known now; later growth goes out as joint_names before joint_states.
    this.#sentNamesVersion = store.namesVersion;
    for (const t of TOPIC_NAMES) this.#sentSeq.set(t, 0);
  }

  get ws(): WebSocketLike { return this.#ws; }
  get topics(): ReadonlySet<TopicName> { return this.#topics; }
  get closed(): boolean { return this.#closed; }

  setTopics(topics: readonly TopicName[]): void {
    this.#topics = new Set(topics);
    this.notify();
  }

  /** Sends a control message now (not throttled). Replies are dropped if the client is not reading. */
  send(msg: ServerMessage, opts: { droppable: boolean } = { droppable: true }): boolean {
    if (this.#closed || this.#ws.readyState !== WS_OPEN) return false;
    if (opts.droppable && this.#ws.bufferedAmount > this.#config.maxBufferedBytes) {
      this.stats.repliesDropped++;
      return false;
    }
    this.#ws.send(JSON.stringify(msg));
    return true;
  }

  /** A topic has a newer frame: flush now if the rate allows, else when it does. */
  notify(): void {
    if (this.#closed || this.#timer !== undefined || !this.#hasPending()) return;
    const delayMs = Math.max(0, this.#lastFlushMs + this.#config.minIntervalMs - this.#nowMs());
    this.#timer = setTimeout(() => this.#flushSafely(), delayMs);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #hasPending(): boolean {
    for (const t of this.#topics) {
      if (this.#store.seq(t) > (this.#sentSeq.get(t) ?? 0)) return true;
    }
    return false;
  }

  // Runs from a timer, where a throw would take the whole process down.
  #flushSafely(): void {
    this.#timer = undefined;
    try {
      this.#flush();
    } catch (err) {
      this.#config.onError?.(err);
    }
  }

  #flush(): void {
    if (this.#closed || this.#ws.readyState !== WS_OPEN) return;
    this.#lastFlushMs = this.#nowMs();
    if (this.#ws.bufferedAmount > this.#config.maxBufferedBytes) {
      // Try again one period later; whatever arrives meanwhile replaces the pending frame.
      this.stats.flushesDeferred++;
      this.#timer = setTimeout(() => this.#flushSafely(), this.#config.minIntervalMs);
      return;
    }
    for (const topic of this.#topics) {
      const seq = this.#store.seq(topic);
      if (seq <= (this.#sentSeq.get(topic) ?? 0)) continue;
      if (topic === '/joint_states' && this.#store.namesVersion !== this.#sentNamesVersion) {
        this.#ws.send(this.#store.namesFrame());
        this.#sentNamesVersion = this.#store.namesVersion;
      }
      // Mark sent before encoding: a frame that fails to encode must not be retried forever.
      this.#sentSeq.set(topic, seq);
      const frame = this.#store.frame(topic);
      if (frame === undefined) continue;
      this.#ws.send(frame);
      this.stats.framesSent++;
    }
  }
}
