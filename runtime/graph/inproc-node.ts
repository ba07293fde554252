// A node of the in-process graph: owns its endpoints, timers and parameters.
import type { InProcExecutor } from './inproc-executor.js';
import type { InProcTopic } from './inproc-topic.js';
import { InProcPublisher, InProcSubscription } from './inproc-topic.js';
import { normalizeMessageType, resolveTopicName } from './names.js';
import { ParameterStore } from './parameters.js';
import { resolveQoS } from './qos.js';
import type { TimerScheduler } from './timer-scheduler.js';
import type {
  GraphNode, ParamSchema, Parameter, ParameterValueType, Publisher, QoSProfile, SetParameterResult, Subscription,
  Timer,
} from './types.js';

/** What a node needs from its graph. */
export interface NodeContext {
  readonly executor: InProcExecutor;
  readonly scheduler: TimerScheduler;
  /** The topic named `topic`, created with `type` if new; throws naming `where` if it has another type. */
  topic(where: string, topic: string, type: string): InProcTopic;
  reportError(error: unknown, where: string): void;
  nodeDestroyed(node: InProcNode): void;
}

export class InProcNode implements GraphNode {
  readonly namespace = '/';
  readonly #context: NodeContext;
  readonly #parameters: ParameterStore;
  readonly #publishers = new Set<InProcPublisher<unknown>>();
  readonly #subscriptions = new Set<InProcSubscription>();
  readonly #timers = new Set<Timer>();
  #destroyed = false;

  constructor(
    readonly name: string,
    context: NodeContext,
    parameterOverrides: Readonly<Record<string, unknown>>,
  ) {
    this.#context = context;
    this.#parameters = new ParameterStore('InProcNode', name, parameterOverrides, (error, where) =>
      context.reportError(error, where),
    );
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  createPublisher<T>(type: string, topic: string, qos?: Partial<QoSProfile>): Publisher<T> {
    const where = this.#checkAlive('createPublisher');
    const { topicRef, profile } = this.#endpoint(where, type, topic, qos);
    const publisher = new InProcPublisher<T>(topicRef, profile, this.name, (p) =>
      this.#publishers.delete(p as InProcPublisher<unknown>),
    );
    this.#publishers.add(publisher as InProcPublisher<unknown>);
    topicRef.addPublisher(publisher as InProcPublisher<unknown>);
    return publisher;
  }

  createSubscription<T>(type: string, topic: string, cb: (msg: T) => void, qos?: Partial<QoSProfile>): Subscription {
    const where = this.#checkAlive('createSubscription');
    const { topicRef, profile } = this.#endpoint(where, type, topic, qos);
    const subscription = new InProcSubscription(
      topicRef,
      profile,
      this.name,
      cb as (msg: unknown) => void,
      (s) => this.#subscriptions.delete(s),
    );
    this.#subscriptions.add(subscription);
    topicRef.addSubscription(subscription);
    return subscription;
  }

  createTimer(periodMs: number, cb: () => void): Timer {
    const where = this.#checkAlive('createTimer');
    if (!(Number.isFinite(periodMs) && periodMs > 0)) {
      throw new Error(`${where}: timer period must be a positive number of ms, got ${periodMs}`);
    }
    const { scheduler } = this.#context;
    const errorWhere = `timer (${periodMs} ms) of node "${this.name}"`;
    let cancelled = false;
    const handle = scheduler.setInterval(() => {
      if (cancelled) return;
      try {
        cb();
      } catch (error) {
        this.#context.reportError(error, errorWhere);
      }
    }, periodMs);
    const timer: Timer = {
      periodMs,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        scheduler.clearInterval(handle);
        this.#timers.delete(timer);
      },
    };
    this.#timers.add(timer);
    return timer;
  }

  declareParameter<T extends string | number | boolean>(
    name: string,
    defaultValue: T,
    schema?: ParamSchema,
  ): Parameter<ParameterValueType<T>> {
    this.#checkAlive('declareParameter');
    return this.#parameters.declare(name, defaultValue as unknown as ParameterValueType<T>, schema);
  }

  getParameter<T>(name: string): T {
    this.#checkAlive('getParameter');
    return this.#parameters.get(name) as T;
  }

  setParameter(name: string, value: unknown): SetParameterResult {
    this.#checkAlive('setParameter');
    return this.#parameters.set(name, value);
  }

  addOnSetParametersCallback(cb: (name: string, value: unknown) => SetParameterResult): () => void {
    this.#checkAlive('addOnSetParametersCallback');
    return this.#parameters.addOnSetCallback(cb);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const timer of [...this.#timers]) timer.cancel();
    for (const subscription of [...this.#subscriptions]) subscription.destroy();
    for (const publisher of [...this.#publishers]) publisher.destroy();
    this.#parameters.clear();
    this.#context.nodeDestroyed(this);
  }

  #checkAlive(method: string): string {
    const where = `InProcNode#${method}`;
    if (this.#destroyed) throw new Error(`${where}: node "${this.name}" is destroyed`);
    return where;
  }

  // Everything is validated before the topic is looked up, so a refused endpoint leaves no empty topic behind.
  #endpoint(
    where: string,
    type: string,
    topic: string,
    qos: Partial<QoSProfile> | undefined,
  ): { topicRef: InProcTopic; profile: QoSProfile } {
    const fullType = normalizeMessageType(where, type);
    const resolved = resolveTopicName(where, topic, this.name, this.namespace);
    const profile = resolveQoS(`${where} "${resolved}"`, qos);
    return { topicRef: this.#context.topic(where, resolved, fullType), profile };
  }
}
