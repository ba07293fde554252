// The inference worker's thread. It builds the pipeline (onnxruntime loads here, never on the main thread),
// reports its sizes, receives the shared buffer and then serves requests: take the newest frame slot, run the
// pipeline on it in place, publish the result slot, notify. It sleeps in Atomics.wait between requests.
import { parentPort, workerData } from 'node:worker_threads';
import type { PipelineConfig, PipelineInfo, WorkerPipeline } from './pipeline.js';
import { createPipeline } from './policy-pipeline.js';
import {
  C, F, R, STATUS_ERROR, STATUS_OK, T, TripleBufferEnd, InferenceChannel, WorkerState, type ChannelSizes,
} from './shared-channel.js';

export type ToWorker = { type: 'attach'; buffer: SharedArrayBuffer; sizes: ChannelSizes };
export type FromWorker =
  | { type: 'ready'; info: PipelineInfo }
  | { type: 'attached' }
  | { type: 'error'; message: string; fatal: boolean };

const port = parentPort;
if (!port) throw new Error('inference-thread: must run in a worker thread');

/** When the next frame is due, from the running mean of the intervals between submits. */
class SubmitForecast {
  #last = -1;
  #intervalMs = 0;
  submitted(nowMs: number): void {
    const gap = nowMs - this.#last;
    if (this.#last >= 0 && gap > 0 && gap < 1000) this.#intervalMs = this.#intervalMs > 0 ? 0.9 * this.#intervalMs + 0.1 * gap : gap;
    this.#last = nowMs;
  }
  /** Expected time of the next submit (performance.now() scale), or undefined without a steady rate yet. */
  get nextMs(): number | undefined {
    return this.#intervalMs > 0 ? this.#last + this.#intervalMs : undefined;
  }
}

// Waking a thread parked on an idle virtual CPU can take a millisecond or two; the frame is on the control
// loop's critical path. So the thread sleeps until shortly before the next frame is due, then polls the submit
// counter for a bounded stretch (~SPIN_MS of one core per frame), then sleeps again.
const SPIN_MS = 1.5;
const SPIN_LATE_MS = 3;

function idle(ctl: Int32Array, seen: number, due: SubmitForecast): void {
  const next = due.nextMs;
  const now = performance.now();
  if (next === undefined || now > next + SPIN_LATE_MS) {
    Atomics.wait(ctl, C.SUBMIT_COUNT, seen, 200);
    return;
  }
  if (now < next - SPIN_MS) {
    Atomics.wait(ctl, C.SUBMIT_COUNT, seen, Math.min(200, next - SPIN_MS - now));
    return;
  }
  while (Atomics.load(ctl, C.SUBMIT_COUNT) === seen && Atomics.load(ctl, C.STOP) === 0 && performance.now() < next + SPIN_LATE_MS) {
    // busy poll: see above
  }
}

async function serve(channel: InferenceChannel, pipeline: WorkerPipeline): Promise<void> {
  const ctl = channel.control;
  const frames = new TripleBufferEnd(ctl, C.FRAME_MIDDLE, 'consumer');
  const results = new TripleBufferEnd(ctl, C.RESULT_MIDDLE, 'producer');
  const request = { pixels: channel.framePixels[0], bgr: false, state: channel.frameState[0], aux: channel.frameAux[0] };
  const outputs = [0, 1, 2].map((i) => ({ actions: channel.resultActions[i], features: channel.resultFeatures[i], timings: channel.resultTimings[i] }));
  let lastErrorPostMs = -Infinity;
  const due = new SubmitForecast();
  Atomics.store(ctl, C.WORKER_STATE, WorkerState.idle);
  while (Atomics.load(ctl, C.STOP) === 0) {
    Atomics.add(ctl, C.HEARTBEAT, 1);
    // Read the count before looking: a submit after this makes the wait return at once.
    const seen = Atomics.load(ctl, C.SUBMIT_COUNT);
    const slot = frames.take();
    if (slot < 0) {
      idle(ctl, seen, due);
      continue;
    }
    due.submitted(performance.now());
    Atomics.add(ctl, C.TAKEN, 1);
    const stallMs = Atomics.exchange(ctl, C.STALL_MS, 0);
    // Fault injection: block the whole thread, as a native call that hangs would.
    if (stallMs > 0) Atomics.wait(ctl, C.SLEEP, 0, stallMs);
    Atomics.store(ctl, C.WORKER_STATE, WorkerState.busy);
    const fm = channel.frameMeta[slot];
    const back = results.slot;
    const rm = channel.resultMeta[back];
    rm[R.REQ] = fm[F.REQ];
    rm[R.FRAME_SEQ] = fm[F.FRAME_SEQ];
    rm[R.STAMP_NS] = fm[F.STAMP_NS];
    rm[R.SUBMIT_NS] = fm[F.SUBMIT_NS];
    rm[R.START_NS] = process.hrtime.bigint();
    request.pixels = channel.framePixels[slot];
    request.bgr = fm[F.ENCODING] === 1n;
    request.state = channel.frameState[slot];
    request.aux = channel.frameAux[slot];
    const out = outputs[back];
    const t0 = performance.now();
    try {
      await pipeline.run(request, out);
      rm[R.STATUS] = STATUS_OK;
    } catch (error) {
      rm[R.STATUS] = STATUS_ERROR;
      out.actions.fill(NaN);
      Atomics.add(ctl, C.ERRORS, 1);
      const nowMs = performance.now();
      if (nowMs - lastErrorPostMs > 1000) {
        lastErrorPostMs = nowMs;
        port!.postMessage({ type: 'error', message: `inference-thread: request ${fm[F.REQ]} failed: ${(error as Error).message}`, fatal: false } satisfies FromWorker);
      }
    }
    out.timings[T.TOTAL] = performance.now() - t0;
    rm[R.DONE_NS] = process.hrtime.bigint();
    results.publish();
    Atomics.add(ctl, C.RESULT_COUNT, 1);
    Atomics.notify(ctl, C.RESULT_COUNT);
    Atomics.store(ctl, C.WORKER_STATE, WorkerState.idle);
  }
  Atomics.store(ctl, C.WORKER_STATE, WorkerState.stopped);
  await pipeline.release();
}

async function main(): Promise<void> {
  let pipeline: WorkerPipeline;
  try {
    pipeline = await createPipeline((workerData as { config: PipelineConfig }).config);
  } catch (error) {
    port!.postMessage({ type: 'error', message: (error as Error).message, fatal: true } satisfies FromWorker);
    return;
  }
  port!.postMessage({ type: 'ready', info: pipeline.info } satisfies FromWorker);
  const attach = await new Promise<ToWorker>((resolve) => port!.once('message', resolve));
  const channel = new InferenceChannel(attach.sizes, attach.buffer);
  port!.postMessage({ type: 'attached' } satisfies FromWorker);
  // Nothing else arrives by message: stop comes through the shared buffer.
  port!.unref();
  await serve(channel, pipeline);
}

void main();
