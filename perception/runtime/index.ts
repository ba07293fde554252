// perception/runtime: inference off the main thread. The main thread imports this; onnxruntime loads only inside
// the worker (inference-thread.ts).
export { InferenceWorker } from './inference-worker.js';
export type { InferenceResult, InferenceWorkerOptions, InferenceWorkerStats } from './inference-worker.js';
export { AUX, AUX_LENGTH, FEATURE_HEAD } from './pipeline.js';
export type { ModelInfo, PipelineConfig, PipelineInfo } from './pipeline.js';
export { WorkerPolicySource } from './worker-policy-source.js';
export type { ChunkAccount, TaskGoal, WorkerPolicySourceConfig, WorkerPolicySourceCounters } from './worker-policy-source.js';
export { InferenceChannel, TripleBufferEnd } from './shared-channel.js';
export type { ChannelSizes } from './shared-channel.js';
export { spawnModuleWorker, siblingModule } from './spawn-module-worker.js';
