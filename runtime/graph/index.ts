// The graph API (ROS 2-shaped) and its backends.
export type {
  CreateNodeOptions, Durability, Graph, GraphNode, History, ParamSchema, Parameter, ParameterValueType, Publisher,
  QoSProfile, Reliability, SetParameterResult, Subscription, Timer, TopicStatistics,
} from './types.js';
export { QoS } from './types.js';
export type { InProcGraphConfig } from './inproc.js';
export { DEFAULT_INPROC_GRAPH_CONFIG, InProcGraph } from './inproc.js';
export type { IncompatibleQosEvent } from './inproc-topic.js';
export type { DeliveryMode } from './inproc-executor.js';
export type { TimerScheduler } from './timer-scheduler.js';
export { ManualTimerScheduler, realTimeScheduler } from './timer-scheduler.js';
export type { CreateGraphOptions, GraphBackend } from './create-graph.js';
export { createGraph } from './create-graph.js';
export { normalizeMessageType, resolveTopicName, topicNameError } from './names.js';
export { qosIncompatibility, resolveQoS } from './qos.js';
