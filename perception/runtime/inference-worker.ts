// The main thread's handle on the inference worker. Per tick: write the frame into the shared slot (or let the
// camera render into frameSlot() directly), submit() with the measured state, and pick up the newest finished
// result with poll(); a tick that wants this frame's result may waitResult() for a bounded time. Nothing here
// blocks: a stuck worker only means no fresh results, which the action queue bridges and the command watchdog
// catches. The worker's sessions, preprocessing and policy never touch this thread.
import type { Worker } from 'node:worker_threads';
import type { Frame, PixelEncoding } from '../cameras/camera.js';
import type { FromWorker, ToWorker } from './inference-thread.js';
import { AUX_LENGTH, type PipelineConfig, type PipelineInfo } from './pipeline.js';
import {
  C, F, R, STATUS_OK, T, TripleBufferEnd, InferenceChannel, WorkerState, encodingCode,
} from './shared-channel.js';
import { siblingModule, spawnModuleWorker } from './spawn-module-worker.js';

export interface InferenceWorkerOptions {
  /** Reject start() when the models are not loaded by then. Default 60 s (stand-ins are built in the worker). */
  startTimeoutMs?: number;
  /** Non-fatal worker errors (a failed request), rate-limited by the worker. Default console.warn. */
  onError?: (message: string) => void;
  /**
   * waitResult() polls once per event-loop turn from this long before a result is typically due (0: only sleep
   * on Atomics.waitAsync). Default 2 ms.
   */
  spinMs?: number;
}

/** A finished request. The object and its arrays are reused: they are valid until the next poll(). */
export interface InferenceResult {
  requestSeq: number;
  frameSeq: number;
  /** Capture stamp of the frame (the camera's clock). */
  frameStampNs: bigint;
  /** CLOCK_MONOTONIC (process.hrtime) stamps: submit, worker start, worker done. */
  submittedNs: bigint;
  startedNs: bigint;
  doneNs: bigint;
  ok: boolean;
  preprocessMs: number;
  visionMs: number;
  policyMs: number;
  /** Worker time for the whole request. */
  totalMs: number;
  /** chunkSize · actionDim absolute joint targets (command order); a view on the shared buffer. */
  actions: Float32Array;
  chunkSize: number;
  actionDim: number;
  /** Diagnostics, named by info.featureNames. */
  features: Float32Array;
}

export interface InferenceWorkerStats {
  submitted: number;
  /** Frames the worker took (it takes one before any injected stall). */
  taken: number;
  /** Frames the worker never saw because a newer one replaced them. */
  dropped: number;
  completed: number;
  errors: number;
  workerState: keyof typeof WorkerState;
}

const STATE_NAMES = Object.keys(WorkerState) as (keyof typeof WorkerState)[];

export class InferenceWorker {
  readonly info: PipelineInfo;
  readonly #worker: Worker;
  readonly #channel: InferenceChannel;
  readonly #ctl: Int32Array;
  readonly #spinMs: number;
  /** Running mean of submit → done, ms: when a result is due. */
  #typicalMs = 0;
  readonly #frames: TripleBufferEnd;
  readonly #results: TripleBufferEnd;
  readonly #result: InferenceResult;
  readonly #exited: Promise<void>;
  #requestSeq = 0;
  #zeroCopy = 0;
  #dropped = 0;
  #closed = false;

  static async start(config: PipelineConfig, options: InferenceWorkerOptions = {}): Promise<InferenceWorker> {
    const worker = spawnModuleWorker(siblingModule(import.meta.url, 'inference-thread'), { workerData: { config } });
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const fail = (message: string): Error => new Error(`InferenceWorker#start: ${message}`);
    const next = (want: FromWorker['type']): Promise<FromWorker> => new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'error' && m.fatal) return done(() => reject(fail(m.message)));
        if (m.type === want) done(() => resolve(m));
      };
      const onError = (e: Error): void => done(() => reject(fail(`the worker threw: ${e.message}`)));
      const onExit = (code: number): void => done(() => reject(fail(`the worker exited (code ${code}) before it was ${want}`)));
      const done = (settle: () => void): void => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        settle();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
    // Between the awaited steps nobody else listens: an 'error' event must not become an uncaught exception
    // (each step's own listener reports it).
    const quiet = (): void => undefined;
    worker.on('error', quiet);
    const readyMessage = next('ready');
    readyMessage.catch(quiet); // when the timeout wins, the terminated worker's exit rejects it unobserved
    try {
      const ready = await Promise.race([
        readyMessage,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(fail(`models not loaded within ${timeoutMs} ms`)), timeoutMs); }),
      ]) as Extract<FromWorker, { type: 'ready' }>;
      const info = ready.info;
      const sizes = {
        frameBytes: config.camera.width * config.camera.height * 3,
        stateLength: info.stateLength,
        auxLength: info.auxLength,
        actionLength: info.actionLength,
        featureLength: info.featureNames.length,
      };
      const channel = new InferenceChannel(sizes);
      const attached = next('attached');
      worker.postMessage({ type: 'attach', buffer: channel.buffer, sizes } satisfies ToWorker);
      await attached;
      return new InferenceWorker(worker, channel, info, options);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
      worker.off('error', quiet);
    }
  }

  private constructor(worker: Worker, channel: InferenceChannel, info: PipelineInfo, options: InferenceWorkerOptions) {
    this.#worker = worker;
    this.#channel = channel;
    this.info = info;
    this.#ctl = channel.control;
    this.#spinMs = Math.max(0, options.spinMs ?? 2);
    this.#frames = new TripleBufferEnd(this.#ctl, C.FRAME_MIDDLE, 'producer');
    this.#results = new TripleBufferEnd(this.#ctl, C.RESULT_MIDDLE, 'consumer');
    const onError = options.onError ?? ((m: string) => console.warn(m));
    worker.on('message', (m: FromWorker) => { if (m.type === 'error') onError(m.message); });
    // A worker that dies stops producing results (the queue runs dry, the watchdog holds); it must not take the
    // main thread down with an unhandled 'error' event.
    worker.on('error', (e: Error) => {
      Atomics.store(this.#ctl, C.WORKER_STATE, WorkerState.failed);
      onError(`InferenceWorker: the worker thread failed: ${e.message}`);
    });
    worker.once('exit', (code) => {
      if (this.#closed) return;
      Atomics.store(this.#ctl, C.WORKER_STATE, WorkerState.failed);
      onError(`InferenceWorker: the worker thread exited unexpectedly (code ${code}); no more results`);
    });
    // A running worker must not keep the process alive; close() joins it.
    worker.unref();
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    this.#result = {
      requestSeq: 0, frameSeq: 0, frameStampNs: 0n, submittedNs: 0n, startedNs: 0n, doneNs: 0n, ok: false,
      preprocessMs: 0, visionMs: 0, policyMs: 0, totalMs: 0,
      actions: channel.resultActions[0], chunkSize: info.policy.chunkSize, actionDim: info.policy.actionDim,
      features: channel.resultFeatures[0],
    };
  }

  /** Requests submitted so far (the last request's sequence number). */
  get requestsSubmitted(): number {
    return this.#requestSeq;
  }

  /** Frames submitted without a copy (rendered straight into the slot). */
  get zeroCopyFrames(): number {
    return this.#zeroCopy;
  }

  /** The pixel buffer the next submit() sends: a camera may render straight into it (camera.width·height·3 bytes). */
  frameSlot(): Uint8Array {
    return this.#channel.framePixels[this.#frames.slot];
  }

  /**
   * Sends the frame now in frameSlot() with the measured command positions (and the AUX inputs) at capture.
   * Returns the request's sequence number. Never waits; a frame the worker has not taken yet is replaced.
   */
  submit(stampNs: bigint, frameSeq: number, encoding: PixelEncoding, state: ArrayLike<number>, aux?: ArrayLike<number>): number {
    if (this.#closed) throw new Error('InferenceWorker#submit: the worker is closed');
    const slot = this.#frames.slot;
    const ch = this.#channel;
    const st = ch.frameState[slot];
    if (state.length !== st.length) throw new RangeError(`InferenceWorker#submit: state has ${state.length} values, the policy takes ${st.length}`);
    for (let i = 0; i < st.length; i++) st[i] = state[i];
    const ax = ch.frameAux[slot];
    if (aux) for (let i = 0; i < AUX_LENGTH && i < aux.length; i++) ax[i] = aux[i];
    const m = ch.frameMeta[slot];
    const req = ++this.#requestSeq;
    m[F.REQ] = BigInt(req);
    m[F.FRAME_SEQ] = BigInt(frameSeq);
    m[F.STAMP_NS] = stampNs;
    m[F.ENCODING] = encodingCode(encoding);
    m[F.SUBMIT_NS] = process.hrtime.bigint();
    if (this.#frames.publish()) this.#dropped++;
    Atomics.add(this.#ctl, C.SUBMIT_COUNT, 1);
    Atomics.notify(this.#ctl, C.SUBMIT_COUNT);
    return req;
  }

  /**
   * Submits a camera frame: a frame rendered straight into frameSlot() goes as it is (zero-copy); any other is
   * copied into the slot first (one memcpy on this thread, never a structured clone).
   */
  submitFrame(frame: Frame, state: ArrayLike<number>, aux?: ArrayLike<number>): number {
    const slot = this.frameSlot();
    if (frame.data.length !== slot.length) {
      throw new RangeError(`InferenceWorker#submitFrame: frame is ${frame.width}×${frame.height} (${frame.data.length} bytes), the worker takes ${slot.length} bytes`);
    }
    if (frame.data.buffer === slot.buffer && frame.data.byteOffset === slot.byteOffset) this.#zeroCopy++;
    else slot.set(frame.data);
    return this.submit(frame.stampNs, frame.seq, frame.encoding, state, aux);
  }

  /** The newest finished result with requestSeq > afterSeq, or undefined. Never waits. */
  poll(afterSeq = this.#result.requestSeq): InferenceResult | undefined {
    const slot = this.#results.take();
    if (slot >= 0) this.#load(slot);
    const r = this.#result;
    return r.requestSeq > afterSeq ? r : undefined;
  }

  /**
   * Waits at most timeoutMs for a result with requestSeq ≥ seq (Atomics.waitAsync: the event loop stays free).
   * Resolves with the newest result, or undefined on timeout.
   */
  async waitResult(seq: number, timeoutMs: number): Promise<InferenceResult | undefined> {
    const start = performance.now();
    const deadline = start + timeoutMs;
    // Sleep until shortly before the result is due, then poll once per event-loop turn (setImmediate: timers and
    // I/O still run): waking a thread parked on an idle virtual CPU costs up to a couple of milliseconds, polling
    // for the last stretch costs ~2 ms of CPU per request. The same trade as WallClock's sleep-then-yield.
    const spinFrom = start + Math.max(0, this.#typicalMs - this.#spinMs);
    for (;;) {
      const count = Atomics.load(this.#ctl, C.RESULT_COUNT);
      const r = this.poll(seq - 1);
      if (r) return r;
      const now = performance.now();
      const leftMs = deadline - now;
      if (leftMs <= 0 || this.#closed) return undefined;
      // Poll for a bounded stretch; a result much later than usual is slept for again.
      if (this.#spinMs > 0 && now >= spinFrom && now < spinFrom + 3 * this.#spinMs) {
        await this.#pollTurns(count, Math.min(deadline, spinFrom + 3 * this.#spinMs));
        continue;
      }
      const sleepMs = this.#spinMs > 0 && now < spinFrom ? Math.min(leftMs, spinFrom - now) : leftMs;
      const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.#ctl, C.RESULT_COUNT, count, sleepMs);
      if (!w.async) continue;
      // Our own timer ends the wait: a pending waitAsync neither keeps the process alive (the worker is unref'd)
      // nor reliably settles before an otherwise idle event loop would exit.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        void w.value.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once another result is in (the count moved) or untilMs passes, checking once per event-loop turn. */
  #pollTurns(count: number, untilMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.#closed || Atomics.load(this.#ctl, C.RESULT_COUNT) !== count || performance.now() >= untilMs) resolve();
        else setImmediate(check);
      };
      setImmediate(check);
    });
  }

  /** Fault injection: the worker blocks its thread for ms before its next request. */
  injectStall(ms: number): void {
    Atomics.store(this.#ctl, C.STALL_MS, Math.max(0, Math.round(ms)));
  }

  /** Bumped by the worker every loop turn; a value that stops moving while busy means a stuck request. */
  get heartbeat(): number {
    return Atomics.load(this.#ctl, C.HEARTBEAT);
  }

  get stats(): InferenceWorkerStats {
    return {
      submitted: this.#requestSeq,
      taken: Atomics.load(this.#ctl, C.TAKEN),
      dropped: this.#dropped,
      completed: Atomics.load(this.#ctl, C.RESULT_COUNT),
      errors: Atomics.load(this.#ctl, C.ERRORS),
      workerState: STATE_NAMES[Atomics.load(this.#ctl, C.WORKER_STATE)] ?? 'failed',
    };
  }

  /** Stops the worker after its current request and releases its sessions. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return this.#exited;
    this.#closed = true;
    Atomics.store(this.#ctl, C.STOP, 1);
    Atomics.notify(this.#ctl, C.SUBMIT_COUNT);
    Atomics.notify(this.#ctl, C.SLEEP);
    this.#worker.ref();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), timeoutMs); });
    // A request stuck in native code cannot see the stop flag: terminate it after the grace period.
    if ((await Promise.race([this.#exited, late])) === 'late') await this.#worker.terminate();
    clearTimeout(timer);
  }

  #load(slot: number): void {
    const ch = this.#channel;
    const m = ch.resultMeta[slot];
    const t = ch.resultTimings[slot];
    const r = this.#result;
    r.requestSeq = Number(m[R.REQ]);
    r.frameSeq = Number(m[R.FRAME_SEQ]);
    r.frameStampNs = m[R.STAMP_NS];
    r.submittedNs = m[R.SUBMIT_NS];
    r.startedNs = m[R.START_NS];
    r.doneNs = m[R.DONE_NS];
    r.ok = m[R.STATUS] === STATUS_OK;
    r.preprocessMs = t[T.PREPROCESS];
    r.visionMs = t[T.VISION];
    r.policyMs = t[T.POLICY];
    r.totalMs = t[T.TOTAL];
    r.actions = ch.resultActions[slot];
    r.features = ch.resultFeatures[slot];
    const serviceMs = Number(r.doneNs - r.submittedNs) / 1e6;
    if (r.ok && serviceMs > 0 && serviceMs < 1000) this.#typicalMs = this.#typicalMs > 0 ? 0.9 * this.#typicalMs + 0.1 * serviceMs : serviceMs;
  }
}

/** ES2024's Atomics.waitAsync (in Node 20), absent from the ES2023 lib this project compiles against. */
interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs?: number):
    { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}
