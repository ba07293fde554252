// The hot path as a CommandSource: camera frame → inference worker (preprocess, vision, features, policy) →
// action queue → target. Each tick, prepare() submits the newest frame when the queue runs low and waits a
// bounded time for its chunk (Atomics.waitAsync: the event loop stays free); next() then answers from the queue.
// A slow or stuck worker only means the queue runs dry and next() returns null: the command watchdog holds the arm.
import { ActionQueue } from '../../policies/action-queue.js';
import type { CommandSource } from '../../runtime/loop/control-pipeline.js';
import type { Clock } from '../../runtime/loop/clock.js';
import type { TickInfo } from '../../runtime/loop/fixed-rate-loop.js';
import type { JointState } from '../../runtime/messages/index.js';
import type { Camera } from '../cameras/camera.js';
import type { InferenceResult, InferenceWorker } from './inference-worker.js';
import { AUX, AUX_LENGTH } from './pipeline.js';

/** The task goal the features need besides the image: where to put the box and which box. */
export interface TaskGoal {
  binXM: number;
  binYM: number;
  targetClass: number;
}

export interface WorkerPolicySourceConfig {
  /** Control rate; must equal the policy's fps. */
  rateHz: number;
  ensembleDecay?: number;
  /** Ask for a chunk when fewer actions remain; default chunk_size − n_action_steps + 1 (as PolicyCommandSource). */
  refillThreshold?: number;
  /** prepare() waits at most this for the chunk it asked for; default half a period. 0: never wait. */
  maxWaitMs?: number;
  /**
   * The loop's clock: with it, the wait also ends tickReserveMs before the tick's deadline (scheduledNs + period),
   * so waiting never makes the tick overrun.
   */
  clock?: Pick<Clock, 'nowNs'>;
  /** Time kept for the rest of the tick after the wait (safety filter, write, publish). Default 5 ms. */
  tickReserveMs?: number;
  /** The gripper joint, to send its measured effort; without it the effort feature reads 0. */
  gripperJointName?: string;
}

export interface WorkerPolicySourceCounters {
  requests: number;
  chunks: number;
  /** Ticks without an action (start-up, or inference fell behind / stalled). */
  starved: number;
  /** Results the worker reported as failed. */
  failed: number;
  /** Refills skipped because the camera had no new frame. */
  staleFrames: number;
  /** prepare() calls whose chunk did not arrive within maxWaitMs. */
  waitTimeouts: number;
}

/** Accounts of the newest chunk taken from the worker (reused object). */
export interface ChunkAccount {
  requestSeq: number;
  /** The tick the chunk's first action is for. */
  startTick: number;
  frameStampNs: bigint;
  /** CLOCK_MONOTONIC stamps: submitted, worker started, worker done, taken from the worker here. */
  submittedNs: bigint;
  startedNs: bigint;
  doneNs: bigint;
  takenNs: bigint;
  preprocessMs: number;
  visionMs: number;
  policyMs: number;
  totalMs: number;
}

const TICK_RING = 64;

/** What the worker's vision made of the target, from the newest results (reset() clears it). */
export interface TargetSight {
  /** Results taken since the last reset. */
  frames: number;
  /** Seen clearly (not hidden by the arm) in at least one frame since the last reset. */
  seen: boolean;
  xM: number;
  yM: number;
}

export class WorkerPolicySource implements CommandSource {
  readonly name: string;
  readonly target: TargetSight = { frames: 0, seen: false, xM: 0, yM: 0 };
  readonly queue: ActionQueue;
  readonly counters: WorkerPolicySourceCounters = { requests: 0, chunks: 0, starved: 0, failed: 0, staleFrames: 0, waitTimeouts: 0 };
  readonly lastChunk: ChunkAccount = { requestSeq: 0, startTick: -1, frameStampNs: 0n, submittedNs: 0n, startedNs: 0n, doneNs: 0n, takenNs: 0n, preprocessMs: 0, visionMs: 0, policyMs: 0, totalMs: 0 };
  readonly #worker: InferenceWorker;
  readonly #camera: Camera;
  readonly #goal: () => TaskGoal | undefined;
  readonly #maxWaitMs: number;
  readonly #clock: Pick<Clock, 'nowNs'> | undefined;
  readonly #reserveMs: number;
  readonly #gripperName: string | undefined;
  readonly #tickOf = new Float64Array(TICK_RING);
  readonly #aux = new Float64Array(AUX_LENGTH);
  readonly #out: Float64Array;
  #lastFrameSeq = 0;
  /** This source's first request: results older than it belong to someone else (a shared worker). */
  #firstSeq = Infinity;
  #gripperIndex = -1;
  #stateNames: readonly string[] | undefined;

  constructor(worker: InferenceWorker, camera: Camera, config: WorkerPolicySourceConfig, goal: () => TaskGoal | undefined = () => undefined) {
    const p = worker.info.policy;
    if (Math.abs(p.fps - config.rateHz) > 1e-6) {
      throw new Error(`WorkerPolicySource: ${p.source} was trained at ${p.fps} fps but the control loop runs at ${config.rateHz} Hz`);
    }
    const spec = worker.info.preprocessSpec;
    if (camera.info.width !== spec.inputWidth || camera.info.height !== spec.inputHeight) {
      throw new Error(`WorkerPolicySource: camera '${camera.info.name}' is ${camera.info.width}×${camera.info.height}, the worker takes ${spec.inputWidth}×${spec.inputHeight}`);
    }
    this.name = `worker-policy:${p.source.split('/').pop()}`;
    this.#worker = worker;
    this.#camera = camera;
    this.#goal = goal;
    this.#maxWaitMs = config.maxWaitMs ?? 500 / config.rateHz;
    this.#clock = config.clock;
    this.#reserveMs = config.tickReserveMs ?? 5;
    this.#gripperName = config.gripperJointName;
    this.queue = new ActionQueue({
      chunkSize: p.chunkSize, actionDim: p.actionDim, ensembleDecay: config.ensembleDecay,
      refillThreshold: config.refillThreshold ?? p.chunkSize - p.nActionSteps + 1,
    });
    this.#out = new Float64Array(p.actionDim);
  }

  /**
   * Call once per tick before the control pipeline asks next(): submits the newest frame with the measured state
   * when the queue runs low, then waits at most maxWaitMs for that chunk. Never rejects.
   */
  async prepare(measured: Float64Array, state: JointState, tick: TickInfo): Promise<void> {
    this.#collect();
    if (!this.queue.needsRefill(tick.index)) return;
    const frame = this.#camera.read();
    if (!frame || frame.seq === this.#lastFrameSeq) {
      this.counters.staleFrames++;
      return;
    }
    this.#lastFrameSeq = frame.seq;
    this.#fillAux(state);
    const seq = this.#worker.submitFrame(frame, measured, this.#aux);
    if (seq < this.#firstSeq) this.#firstSeq = seq;
    this.#tickOf[seq % TICK_RING] = tick.index;
    this.counters.requests++;
    let waitMs = this.#maxWaitMs;
    if (this.#clock) {
      const toDeadlineMs = Number(tick.scheduledNs - this.#clock.nowNs()) / 1e6 + tick.nominalPeriodS * 1000;
      waitMs = Math.min(waitMs, toDeadlineMs - this.#reserveMs);
    }
    if (waitMs <= 0) return;
    const result = await this.#worker.waitResult(seq, waitMs);
    if (!result || result.requestSeq < seq) this.counters.waitTimeouts++;
    this.#take(result);
  }

  next(_measured: Float64Array, _state: JointState, tick: TickInfo): Float64Array | null {
    this.#collect();
    if (this.queue.pop(tick.index, this.#out)) return this.#out;
    this.counters.starved++;
    return null;
  }

  /** Forget queued actions and what was seen of the target (after a hold, a new goal). */
  reset(): void {
    this.queue.clear();
    this.target.frames = 0;
    this.target.seen = false;
    // Results of frames submitted before now belong to the old goal.
    this.#firstSeq = this.#worker.requestsSubmitted + 1;
  }

  #collect(): void {
    this.#take(this.#worker.poll(this.lastChunk.requestSeq));
  }

  #take(r: InferenceResult | undefined): void {
    if (!r || r.requestSeq <= this.lastChunk.requestSeq || r.requestSeq < this.#firstSeq) return;
    const c = this.lastChunk;
    c.requestSeq = r.requestSeq;
    if (!r.ok) {
      this.counters.failed++;
      return;
    }
    const t = this.target;
    t.frames++;
    if (r.features[3] === 1) {
      t.seen = true;
      t.xM = r.features[0];
      t.yM = r.features[1];
    }
    c.startTick = this.#tickOf[r.requestSeq % TICK_RING];
    c.frameStampNs = r.frameStampNs;
    c.submittedNs = r.submittedNs;
    c.startedNs = r.startedNs;
    c.doneNs = r.doneNs;
    c.takenNs = process.hrtime.bigint();
    c.preprocessMs = r.preprocessMs;
    c.visionMs = r.visionMs;
    c.policyMs = r.policyMs;
    c.totalMs = r.totalMs;
    this.queue.push(c.startTick, r.actions);
    this.counters.chunks++;
  }

  #fillAux(state: JointState): void {
    const aux = this.#aux;
    const goal = this.#goal();
    aux[AUX.BIN_X_M] = goal?.binXM ?? 0;
    aux[AUX.BIN_Y_M] = goal?.binYM ?? 0;
    aux[AUX.TARGET_CLASS] = goal?.targetClass ?? 0;
    if (this.#gripperName !== undefined && this.#stateNames !== state.name) {
      this.#stateNames = state.name;
      this.#gripperIndex = state.name.indexOf(this.#gripperName);
    }
    aux[AUX.GRIPPER_EFFORT_N] = this.#gripperIndex >= 0 ? Number(state.effort[this.#gripperIndex] ?? 0) : 0;
  }
}
