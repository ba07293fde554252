// One topic of the in-process graph with its endpoints: matching by QoS, transient_local replay and statistics.
import type { InProcExecutor, QueuedSubscription } from './inproc-executor.js';
import { MessageQueue } from './message-queue.js';
import { qosIncompatibility } from './qos.js';
import { RateWindow } from './rate-window.js';
import type { Publisher, QoSProfile, Subscription, TopicStatistics } from './types.js';

/** A publisher/subscription pair on one topic that cannot match. Both ends hear of it, as in ROS 2 QoS events. */
export interface IncompatibleQosEvent {
  topic: string;
  type: string;
  publisherNode: string;
  subscriptionNode: string;
  reason: string;
}

/** What the topic needs from its graph. */
export interface TopicContext {
  readonly executor: InProcExecutor;
  nowMs(): number;
  /** Global publish sequence, to merge transient_local histories in publish order. */
  nextPublishSeq(): number;
  incompatibleQos(event: IncompatibleQosEvent): void;
  /** The topic lost its last endpoint. */
  topicEmpty(topic: InProcTopic): void;
}

export class InProcTopic {
  readonly publishers: InProcPublisher<unknown>[] = [];
  readonly subscriptions: InProcSubscription[] = [];
  published = 0;
  delivered = 0;
  dropped = 0;
  incompatibleQos = 0;
  readonly rate: RateWindow;

  constructor(
    readonly name: string,
    readonly type: string,
    readonly context: TopicContext,
    statsWindowMs: number,
  ) {
    this.rate = new RateWindow(statsWindowMs);
  }

  addPublisher(publisher: InProcPublisher<unknown>): void {
    this.publishers.push(publisher);
    for (const sub of this.subscriptions) this.#checkPair(publisher, sub);
    this.#rematch();
  }

  addSubscription(sub: InProcSubscription): void {
    this.subscriptions.push(sub);
    for (const publisher of this.publishers) this.#checkPair(publisher, sub);
    this.#rematch();
    if (sub.qos.durability === 'transient_local') this.#replayHistory(sub);
  }

  remove(endpoint: InProcPublisher<unknown> | InProcSubscription): void {
    const list: unknown[] = endpoint instanceof InProcPublisher ? this.publishers : this.subscriptions;
    const index = list.indexOf(endpoint);
    if (index >= 0) list.splice(index, 1);
    this.#rematch();
    if (this.publishers.length === 0 && this.subscriptions.length === 0) this.context.topicEmpty(this);
  }

  statistics(): TopicStatistics {
    return {
      topic: this.name,
      type: this.type,
      publishers: this.publishers.length,
      subscriptions: this.subscriptions.length,
      published: this.published,
      delivered: this.delivered,
      dropped: this.dropped,
      rateHz: this.rate.rateHz(this.context.nowMs()),
      incompatibleQos: this.incompatibleQos,
    };
  }

  #checkPair(publisher: InProcPublisher<unknown>, sub: InProcSubscription): void {
    const reason = qosIncompatibility(publisher.qos, sub.qos);
    if (reason === undefined) return;
    this.incompatibleQos++;
    this.context.incompatibleQos({
      topic: this.name,
      type: this.type,
      publisherNode: publisher.nodeName,
      subscriptionNode: sub.nodeName,
      reason,
    });
  }

  #rematch(): void {
    for (const publisher of this.publishers) {
      publisher.matched = this.subscriptions.filter((sub) => qosIncompatibility(publisher.qos, sub.qos) === undefined);
    }
  }

  // A late-joining transient_local subscription gets the kept history of every matching transient_local
  // publisher, merged in publish order, on the next executor turn.
  #replayHistory(sub: InProcSubscription): void {
    const entries: { message: unknown; seq: number }[] = [];
    for (const publisher of this.publishers) {
      if (publisher.history === undefined || !publisher.matched.includes(sub)) continue;
      publisher.history.forEach((message, seq) => entries.push({ message, seq }));
    }
    entries.sort((a, b) => a.seq - b.seq);
    for (const { message } of entries) {
      if (this.context.executor.enqueue(sub, message)) this.dropped++;
    }
  }
}

export class InProcPublisher<T> implements Publisher<T> {
  /** Subscriptions with compatible QoS; replaced (not mutated) whenever the topic's endpoints change. */
  matched: InProcSubscription[] = [];
  /** The last `depth` messages, for late-joining transient_local subscriptions. */
  readonly history: MessageQueue | undefined;
  #destroyed = false;

  constructor(
    readonly topicRef: InProcTopic,
    readonly qos: QoSProfile,
    readonly nodeName: string,
    readonly onDestroy: (publisher: InProcPublisher<T>) => void,
  ) {
    this.history =
      qos.durability === 'transient_local'
        ? new MessageQueue(qos.history === 'keep_all' ? Number.POSITIVE_INFINITY : qos.depth)
        : undefined;
  }

  get topic(): string {
    return this.topicRef.name;
  }

  get type(): string {
    return this.topicRef.type;
  }

  publish(msg: T): void {
    if (this.#destroyed) {
      throw new Error(`InProcPublisher#publish: publisher on "${this.topic}" of node "${this.nodeName}" is destroyed`);
    }
    if (msg === undefined || msg === null) {
      throw new Error(`InProcPublisher#publish: message on "${this.topic}" is ${String(msg)}`);
    }
    const topic = this.topicRef;
    const context = topic.context;
    topic.published++;
    topic.rate.record(context.nowMs());
    this.history?.push(msg, context.nextPublishSeq());
    const matched = this.matched;
    for (let i = 0; i < matched.length; i++) {
      if (context.executor.enqueue(matched[i]!, msg)) topic.dropped++;
    }
  }

  subscriptionCount(): number {
    return this.#destroyed ? 0 : this.matched.length;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.history?.clear();
    this.topicRef.remove(this as InProcPublisher<unknown>);
    this.onDestroy(this);
  }
}

export class InProcSubscription implements Subscription, QueuedSubscription {
  readonly queue: MessageQueue;
  #destroyed = false;

  constructor(
    readonly topicRef: InProcTopic,
    readonly qos: QoSProfile,
    readonly nodeName: string,
    readonly callback: (msg: unknown) => void,
    readonly onDestroy: (sub: InProcSubscription) => void,
  ) {
    this.queue = new MessageQueue(qos.history === 'keep_all' ? Number.POSITIVE_INFINITY : qos.depth);
  }

  get topic(): string {
    return this.topicRef.name;
  }

  get type(): string {
    return this.topicRef.type;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  deliver(message: unknown): void {
    this.topicRef.delivered++;
    this.callback(message);
  }

  describe(): string {
    return `subscription to "${this.topic}" on node "${this.nodeName}"`;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.topicRef.context.executor.discarded(this.queue.length);
    this.queue.clear();
    this.topicRef.remove(this);
    this.onDestroy(this);
  }
}
