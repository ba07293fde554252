// The ROS 2-shaped graph API: nodes, publishers, subscriptions, timers and parameters. Backends: the in-process
// graph (inproc.ts, the default) and, later, rclnodejs. Both must pass graph.contract.ts.

export type Reliability = 'reliable' | 'best_effort';
export type Durability = 'volatile' | 'transient_local';
export type History = 'keep_last' | 'keep_all';

/** As in ROS 2. `depth` is the queue length for keep_last (ignored for keep_all). */
export interface QoSProfile {
  history: History;
  depth: number;
  reliability: Reliability;
  durability: Durability;
}

/** The rclcpp/rclpy presets. */
export const QoS: {
  /** keep_last 10, reliable, volatile. */
  readonly default: QoSProfile;
  /** keep_last 5, best_effort, volatile: cameras, joint states; fresh data beats complete data. */
  readonly sensorData: QoSProfile;
  /** keep_last 1, reliable, transient_local: the last message reaches late joiners (ROS 1 "latched"). */
  readonly latched: QoSProfile;
} = Object.freeze({
  default: Object.freeze({ history: 'keep_last', depth: 10, reliability: 'reliable', durability: 'volatile' }),
  sensorData: Object.freeze({ history: 'keep_last', depth: 5, reliability: 'best_effort', durability: 'volatile' }),
  latched: Object.freeze({ history: 'keep_last', depth: 1, reliability: 'reliable', durability: 'transient_local' }),
});

export interface Publisher<T> {
  /** The fully qualified topic name (`/a/b`). */
  readonly topic: string;
  /** The full type name (`sensor_msgs/msg/JointState`). */
  readonly type: string;
  /**
   * Sends `msg` to every matched subscription. Delivery may share the object with subscribers (the in-process
   * backend does, zero-copy): do not mutate a message after publishing it.
   */
  publish(msg: T): void;
  /** Matched subscriptions: those on the topic with compatible QoS (as rclcpp's get_subscription_count). */
  subscriptionCount(): number;
  destroy(): void;
}

export interface Subscription {
  readonly topic: string;
  readonly type: string;
  /** Stops delivery at once, including messages already queued for this subscription. */
  destroy(): void;
}

export interface Timer {
  cancel(): void;
  readonly periodMs: number;
}

export interface ParamSchema {
  type: 'number' | 'integer' | 'boolean' | 'string';
  description?: string;
  /** Inclusive bounds, for number and integer parameters. */
  min?: number;
  max?: number;
  /** The only values allowed. */
  enum?: readonly (string | number)[];
  /** Can be set only through overrides at declaration, as rcl's read_only descriptor. */
  readOnly?: boolean;
}

export interface SetParameterResult {
  successful: boolean;
  /** Why it failed, naming the parameter and the rule; '' on success. */
  reason: string;
}

export interface Parameter<T> {
  readonly name: string;
  get(): T;
  set(value: T): SetParameterResult;
  /** Called after the value changed (not when set to the same value). Returns the unsubscribe function. */
  onChange(cb: (value: T, old: T) => void): () => void;
}

/** A literal default (`'auto'`, `30`, `true`) declares a parameter of the wider type (string, number, boolean). */
export type ParameterValueType<T extends string | number | boolean> = T extends string
  ? string
  : T extends number
    ? number
    : boolean;

export interface GraphNode {
  readonly name: string;
  /**
   * `type` is the full message type (`pkg/msg/Name`; `pkg/Name` is accepted). `topic` is absolute (`/a/b`),
   * relative (`a/b`, resolved against the node namespace `/`) or private (`~/a`, under the node name).
   * Throws if the topic already has endpoints of another type, or if the name is not a valid ROS 2 name.
   */
  createPublisher<T>(type: string, topic: string, qos?: Partial<QoSProfile>): Publisher<T>;
  /** `cb` receives each message in publish order; it must not mutate the message (it may be shared). */
  createSubscription<T>(type: string, topic: string, cb: (msg: T) => void, qos?: Partial<QoSProfile>): Subscription;
  createTimer(periodMs: number, cb: () => void): Timer;
  /**
   * Declares a parameter; its value is the override given at createNode, validated against the schema, else the
   * default. Declaring a name twice throws.
   */
  declareParameter<T extends string | number | boolean>(
    name: string,
    defaultValue: T,
    schema?: ParamSchema,
  ): Parameter<ParameterValueType<T>>;
  /** Throws if the parameter was not declared. */
  getParameter<T>(name: string): T;
  setParameter(name: string, value: unknown): SetParameterResult;
  /**
   * Called before a parameter changes, after schema validation; returning `{successful: false}` vetoes the change
   * (as rclcpp's add_on_set_parameters_callback). Returns the remove function.
   */
  addOnSetParametersCallback(cb: (name: string, value: unknown) => SetParameterResult): () => void;
  /** Destroys the node's publishers, subscriptions and timers. */
  destroy(): void;
}

export interface CreateNodeOptions {
  /** Values for parameters, applied (and validated) when each is declared. Undeclared names are ignored. */
  parameterOverrides?: Record<string, unknown>;
}

export interface Graph {
  /** Node names are ROS 2 names: letters, digits and underscores, not starting with a digit. */
  createNode(name: string, options?: CreateNodeOptions): GraphNode;
  /** One entry for each topic that currently has a publisher or a subscription. */
  topicStatistics(): TopicStatistics[];
  topicNames(): { topic: string; type: string }[];
  /** Destroys every node; no delivery, timer or callback runs afterwards. Idempotent. */
  shutdown(): Promise<void>;
}

export interface TopicStatistics {
  topic: string;
  type: string;
  publishers: number;
  subscriptions: number;
  /** publish() calls. */
  published: number;
  /** Messages handed to subscription callbacks (one message to two subscribers counts twice). */
  delivered: number;
  /** Messages a subscription's keep_last queue discarded because it overflowed before it was drained. */
  dropped: number;
  /** Publish rate over a sliding window (the in-process default is 1 s); 0 with fewer than 2 messages in it. */
  rateHz: number;
  /** Publisher/subscription pairs on this topic that could not match because of incompatible QoS. */
  incompatibleQos: number;
}
