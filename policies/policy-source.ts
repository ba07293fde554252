// A chunking policy as the control pipeline's CommandSource: each tick it reads the task observation, asks for a
// new chunk when the action queue runs low (one inference in flight at most), and answers with the queue's
// ensembled action for this tick. The chunk computed from tick t's observation covers ticks t, t+1, ...; it
// lands before the next tick in practice, so its first action is never used and its second is.
import type { CommandSource } from '../runtime/loop/control-pipeline.js';
import type { TickInfo } from '../runtime/loop/fixed-rate-loop.js';
import type { JointState } from '../runtime/messages/index.js';
import { UserError } from '../runtime/errors.js';
import { ActionQueue } from './action-queue.js';
import { emptyTaskObservation, type EnvFeatureBuilder, type TaskObservation, type TaskObservationSource } from './features.js';
import type { ChunkPolicy } from './onnx-policy.js';

export interface PolicySourceConfig {
  /** Control rate; must equal the policy's fps. */
  rateHz: number;
  /** ACT's m (action-queue.ts). Default 0.01. */
  ensembleDecay?: number;
  /** Ask for a new chunk when fewer actions remain. Default chunk_size − n_action_steps + 1 from the model. */
  refillThreshold?: number;
}

export interface PolicySourceCounters {
  requests: number;
  chunks: number;
  /** Ticks without an action (start-up, or inference fell behind). */
  starved: number;
  errors: number;
}

export class PolicyCommandSource implements CommandSource {
  readonly name: string;
  readonly queue: ActionQueue;
  readonly counters: PolicySourceCounters = { requests: 0, chunks: 0, starved: 0, errors: 0 };
  lastError: Error | undefined;
  readonly #policy: ChunkPolicy;
  readonly #features: EnvFeatureBuilder | undefined;
  readonly #task: TaskObservationSource;
  readonly #obs: TaskObservation = emptyTaskObservation();
  readonly #out: Float64Array;

  constructor(policy: ChunkPolicy, task: TaskObservationSource, features: EnvFeatureBuilder | undefined, config: PolicySourceConfig) {
    const c = policy.contract;
    if (Math.abs(c.fps - config.rateHz) > 1e-6) {
      throw new UserError(`PolicyCommandSource: ${c.source} was trained at ${c.fps} fps but the control loop runs at ${config.rateHz} Hz; run the loop at ${c.fps} Hz`);
    }
    if (c.envFeatureNames.length > 0) {
      if (!features) throw new Error(`PolicyCommandSource: ${c.source} takes environment features; pass an EnvFeatureBuilder`);
      if (JSON.stringify(features.names) !== JSON.stringify(c.envFeatureNames)) {
        throw new Error(`PolicyCommandSource: the feature builder makes ${JSON.stringify(features.names)}, ${c.source} wants ${JSON.stringify(c.envFeatureNames)}`);
      }
    }
    if (c.cameras.length > 0) {
      throw new UserError(`PolicyCommandSource: ${c.source} takes camera images (${c.cameras.map((k) => k.name).join(', ')}); image policies need a frame source, which is not wired yet`);
    }
    this.name = `policy:${c.source.split('/').pop()}`;
    this.#policy = policy;
    this.#task = task;
    this.#features = c.envFeatureNames.length > 0 ? features : undefined;
    this.queue = new ActionQueue({
      chunkSize: c.chunkSize,
      actionDim: c.actionNames.length,
      ensembleDecay: config.ensembleDecay,
      refillThreshold: config.refillThreshold ?? c.chunkSize - c.nActionSteps + 1,
    });
    this.#out = new Float64Array(c.actionNames.length);
  }

  next(measured: Float64Array, state: JointState, tick: TickInfo): Float64Array | null {
    const t = tick.index;
    const seen = this.#task.read(measured, state, this.#obs);
    const policy = this.#policy;
    if (seen && !policy.busy && this.queue.needsRefill(t)) {
      for (let i = 0; i < policy.state.length; i++) policy.state[i] = measured[i];
      if (this.#features) this.#features.build(this.#obs, measured, this.#features.gripperEffortOf(state), policy.env);
      this.counters.requests++;
      policy.run().then(
        (chunk) => {
          this.queue.push(t, chunk);
          this.counters.chunks++;
        },
        (error: Error) => {
          this.counters.errors++;
          this.lastError = error;
        },
      );
    }
    if (this.queue.pop(t, this.#out)) return this.#out;
    this.counters.starved++;
    return null;
  }

  /** Forget queued actions (after a hold, a new goal). */
  reset(): void {
    this.queue.clear();
  }
}
