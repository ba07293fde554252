// InProcGraph: the default graph backend, everything in this process.
//
// Delivery is zero-copy: a subscriber receives the very object that was published, so neither side may mutate
// a message after publish. Each subscription has its own queue sized by its QoS; an executor turn drains the
// queues in publish order. QoS compatibility, transient_local replay, name rules and type checks follow ROS 2.
//
// Modes:
// - default (`delivery: 'auto'`): publishing schedules a turn with setImmediate, timers run on real time.
// - deterministic tests: `delivery: 'manual'`; nothing is delivered until you call spinOnce() (one turn) or
//   drain() (until quiet).
// - fast-sim: `delivery: 'manual'` with `scheduler: new ManualTimerScheduler()` and `nowMs` from the sim clock;
//   each sim step advances the scheduler (timers fire), then calls drain(). Runs as fast as the CPU allows, the
//   same way every time.
import type { IncompatibleQosEvent, TopicContext } from './inproc-topic.js';
import { InProcTopic } from './inproc-topic.js';
import type { DeliveryMode } from './inproc-executor.js';
import { InProcExecutor } from './inproc-executor.js';
import type { NodeContext } from './inproc-node.js';
import { InProcNode } from './inproc-node.js';
import { nodeNameError } from './names.js';
import type { TimerScheduler } from './timer-scheduler.js';
import { realTimeScheduler } from './timer-scheduler.js';
import type { CreateNodeOptions, Graph, GraphNode, TopicStatistics } from './types.js';

export interface InProcGraphConfig {
  /** `auto`: turns run on setImmediate after a publish. `manual`: only spinOnce()/drain() deliver. */
  delivery: DeliveryMode;
  /** Drives createTimer. */
  scheduler: TimerScheduler;
  /** Clock for the rate statistics, in ms. */
  nowMs: () => number;
  /** Sliding window of TopicStatistics.rateHz. */
  statsWindowMs: number;
  /**
   * Gets what subscription callbacks, timer callbacks and parameter listeners throw; delivery to the others goes
   * on. The default prints it with console.error.
   */
  onCallbackError: (error: unknown, where: string) => void;
}

export const DEFAULT_INPROC_GRAPH_CONFIG: InProcGraphConfig = {
  delivery: 'auto',
  scheduler: realTimeScheduler,
  nowMs: () => performance.now(),
  statsWindowMs: 1000,
  onCallbackError: (error, where) => console.error(`InProcGraph: ${where} threw:`, error),
};

export class InProcGraph implements Graph {
  readonly config: InProcGraphConfig;
  readonly #executor: InProcExecutor;
  readonly #nodes = new Map<string, InProcNode>();
  readonly #topics = new Map<string, InProcTopic>();
  readonly #incompatibleListeners = new Set<(event: IncompatibleQosEvent) => void>();
  readonly #topicContext: TopicContext;
  readonly #nodeContext: NodeContext;
  #publishSeq = 0;
  #shutdown = false;

  constructor(config: Partial<InProcGraphConfig> = {}) {
    this.config = { ...DEFAULT_INPROC_GRAPH_CONFIG, ...config };
    const reportError = (error: unknown, where: string): void => this.config.onCallbackError(error, where);
    this.#executor = new InProcExecutor(this.config.delivery, reportError);
    this.#topicContext = {
      executor: this.#executor,
      nowMs: this.config.nowMs,
      nextPublishSeq: () => ++this.#publishSeq,
      incompatibleQos: (event) => {
        for (const listener of [...this.#incompatibleListeners]) listener(event);
      },
      topicEmpty: (topic) => {
        if (this.#topics.get(topic.name) === topic) this.#topics.delete(topic.name);
      },
    };
    this.#nodeContext = {
      executor: this.#executor,
      scheduler: this.config.scheduler,
      topic: (where, name, type) => this.#topic(where, name, type),
      reportError,
      nodeDestroyed: (node) => {
        if (this.#nodes.get(node.name) === node) this.#nodes.delete(node.name);
      },
    };
  }

  createNode(name: string, options: CreateNodeOptions = {}): GraphNode {
    if (this.#shutdown) throw new Error(`InProcGraph#createNode: the graph is shut down (node "${name}")`);
    const error = nodeNameError(name);
    if (error !== undefined) throw new Error(`InProcGraph#createNode: invalid node name "${name}": ${error}`);
    // ROS 2 tolerates duplicate node names with a warning; here they would share nothing but the name, and
    // parameter overrides would be ambiguous, so refuse.
    if (this.#nodes.has(name)) throw new Error(`InProcGraph#createNode: a node named "${name}" already exists`);
    const node = new InProcNode(name, this.#nodeContext, { ...options.parameterOverrides });
    this.#nodes.set(name, node);
    return node;
  }

  topicStatistics(): TopicStatistics[] {
    return [...this.#topics.values()].map((topic) => topic.statistics());
  }

  topicNames(): { topic: string; type: string }[] {
    return [...this.#topics.values()].map((topic) => ({ topic: topic.name, type: topic.type }));
  }

  /** Listens for publisher/subscription pairs that cannot match; returns the unsubscribe function. */
  onIncompatibleQos(listener: (event: IncompatibleQosEvent) => void): () => void {
    this.#incompatibleListeners.add(listener);
    return () => this.#incompatibleListeners.delete(listener);
  }

  /** One executor turn: delivers what was queued before the call, in publish order; returns the count. */
  spinOnce(): number {
    return this.#executor.spinOnce();
  }

  /** Turns until no message is pending (callbacks that publish included); returns the count delivered. */
  drain(maxTurns?: number): number {
    return this.#executor.drain(maxTurns);
  }

  /** Messages queued for subscriptions and not yet delivered. */
  get pending(): number {
    return this.#executor.pending;
  }

  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdown = true;
    for (const node of [...this.#nodes.values()]) node.destroy();
    this.#executor.close();
    this.#incompatibleListeners.clear();
  }

  #topic(where: string, name: string, type: string): InProcTopic {
    if (this.#shutdown) throw new Error(`${where}: the graph is shut down (topic "${name}")`);
    let topic = this.#topics.get(name);
    if (topic === undefined) {
      topic = new InProcTopic(name, type, this.#topicContext, this.config.statsWindowMs);
      this.#topics.set(name, topic);
    } else if (topic.type !== type) {
      throw new Error(`${where}: topic "${name}" already has type ${topic.type}, not ${type}`);
    }
    return topic;
  }
}
