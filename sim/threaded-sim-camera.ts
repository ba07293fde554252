// A SimCamera whose rendering runs on its own thread, like a real camera's exposure and readout: capture() posts
// a small snapshot of the world (joint positions, object poses) and resolves when the frame is in shared memory.
// The main thread stays free while the frame renders, which keeps the event loop's delay to what the stack
// itself does. Frames alternate between two SharedArrayBuffers; the one read() returned stays intact until the
// capture after next. One capture is in flight at a time: a second call while one renders gets the same promise.
import type { Worker } from 'node:worker_threads';
import type { Camera, CameraInfo, Frame } from '../perception/cameras/camera.js';
import { FrameWaiters } from '../perception/cameras/frame-waiters.js';
import { siblingModule, spawnModuleWorker } from '../perception/runtime/spawn-module-worker.js';
import type { ArmDescription } from '../runtime/robot/index.js';
import type { BinSpec, TableSpec } from './scene-layout.js';
import type { RenderObject, SensorNoiseConfig } from './render/scene-renderer.js';
import { overheadView, wristView, type SimView } from './render/sim-views.js';
import type { World } from './world.js';

export interface RenderThreadData {
  description: ArmDescription;
  table: TableSpec;
  bins: readonly BinSpec[];
  view: 'overhead' | 'wrist';
  frames: SharedArrayBuffer[];
  noise?: SensorNoiseConfig;
}

export interface RenderRequest {
  id: number;
  /** Index into RenderThreadData.frames, or -1 to render into `target`. */
  slot: number;
  /** A caller-owned shared buffer region (e.g. an inference worker's frame slot): the zero-copy path. */
  target?: { buffer: SharedArrayBuffer; byteOffset: number; length: number };
  q: Float64Array;
  objects: RenderObject[];
  /** The towel's particle grid, when the world has one. */
  cloth?: { rows: number; cols: number; positions: Float64Array };
}

interface RenderReply {
  id: number;
  renderMs: number;
  error?: string;
  /** The thread's first message: the renderer is built. */
  ready?: boolean;
}

export interface ThreadedSimCameraConfig {
  /** Default 30 (informational: the owner decides when to capture). */
  fps?: number;
  noise?: SensorNoiseConfig;
}

export class ThreadedSimCamera implements Camera {
  readonly info: CameraInfo;
  readonly view: SimView;
  /** Render time of the last frame on the render thread, ms. */
  lastRenderMs = 0;
  readonly periodNs: bigint;
  #nextNs: bigint | undefined;
  readonly #world: World;
  readonly #worker: Worker;
  readonly #frames: [Frame, Frame];
  /** Frames rendered straight into caller buffers, one per buffer. */
  readonly #targetFrames = new Map<Uint8Array, Frame>();
  readonly #waiters: FrameWaiters;
  #latest: Frame | undefined;
  #seq = 0;
  #nextId = 1;
  #inFlight: { id: number; frame: Frame; promise: Promise<Frame>; resolve: (f: Frame) => void; reject: (e: Error) => void } | undefined;
  #connected = false;
  #closed = false;
  readonly #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (e: Error) => void;

  private constructor(world: World, which: 'overhead' | 'wrist', config: ThreadedSimCameraConfig) {
    this.view = which === 'wrist' ? wristView() : overheadView();
    const { width, height } = this.view.camera.intrinsics;
    this.info = { name: this.view.name, width, height, fps: config.fps ?? 30, encoding: 'rgb8' };
    if (!(this.info.fps > 0)) throw new Error(`ThreadedSimCamera: camera "${this.info.name}" fps must be > 0, got ${this.info.fps}`);
    this.periodNs = BigInt(Math.round(1e9 / this.info.fps));
    this.#world = world;
    this.#waiters = new FrameWaiters(`ThreadedSimCamera '${this.info.name}'`);
    const buffers = [new SharedArrayBuffer(3 * width * height), new SharedArrayBuffer(3 * width * height)];
    const frame = (b: SharedArrayBuffer): Frame => ({ stampNs: 0n, seq: 0, width, height, encoding: 'rgb8', data: new Uint8Array(b) });
    this.#frames = [frame(buffers[0]), frame(buffers[1])];
    const data: RenderThreadData = { description: world.description, table: world.table, bins: world.bins, view: which, frames: buffers, noise: config.noise };
    this.#ready = new Promise<void>((resolve, reject) => { this.#readyResolve = resolve; this.#readyReject = reject; });
    // Nobody may await it before connect(); a thread that dies first must not be an unhandled rejection.
    this.#ready.catch(() => undefined);
    this.#worker = spawnModuleWorker(siblingModule(import.meta.url, 'sim-camera-thread'), { workerData: data });
    this.#worker.on('message', (m: RenderReply) => (m.ready ? this.#readyResolve() : this.#done(m)));
    this.#worker.on('error', (e) => this.#fail(new Error(`ThreadedSimCamera: camera "${this.info.name}" render thread failed: ${e.message}`)));
    this.#worker.on('exit', () => this.#fail(new Error(`ThreadedSimCamera: camera "${this.info.name}" render thread exited`)));
  }

  static overhead(world: World, config: ThreadedSimCameraConfig = {}): ThreadedSimCamera {
    return new ThreadedSimCamera(world, 'overhead', config);
  }

  static wrist(world: World, config: ThreadedSimCameraConfig = {}): ThreadedSimCamera {
    return new ThreadedSimCamera(world, 'wrist', config);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Resolves once the render thread is up (it may take seconds to load on a busy machine). */
  async connect(): Promise<void> {
    if (this.#closed) throw new Error(`ThreadedSimCamera#connect: camera "${this.info.name}" was disconnected for good; make a new one`);
    await this.#ready;
    if (this.#closed) throw new Error(`ThreadedSimCamera#connect: camera "${this.info.name}" was disconnected while connecting`);
    this.#connected = true;
  }

  /** Stops the render thread; pending captures and waiters reject. */
  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#connected = false;
    this.#closed = true;
    this.#fail(new Error(`ThreadedSimCamera: camera "${this.info.name}" was disconnected`));
    await this.#worker.terminate();
  }

  /**
   * Renders the world as it is now on the render thread, stamped stampNs. With `into` (a view on a
   * SharedArrayBuffer, width·height·3 bytes) the frame is painted there directly, so it reaches e.g. an inference
   * worker's frame slot without a copy; the returned frame's data is then `into`.
   */
  capture(stampNs: bigint, into?: Uint8Array): Promise<Frame> {
    if (!this.#connected) return Promise.reject(new Error(`ThreadedSimCamera#capture: camera "${this.info.name}" is not connected; call connect() first`));
    if (this.#inFlight) return this.#inFlight.promise;
    let slot = (this.#seq + 1) & 1;
    let frame = this.#frames[slot];
    let target: RenderRequest['target'];
    if (into) {
      if (!(into.buffer instanceof SharedArrayBuffer)) return Promise.reject(new Error(`ThreadedSimCamera#capture: camera "${this.info.name}": the target buffer must be a view on a SharedArrayBuffer`));
      if (into.length !== frame.data.length) return Promise.reject(new RangeError(`ThreadedSimCamera#capture: camera "${this.info.name}" renders ${frame.data.length} bytes, the target holds ${into.length}`));
      slot = -1;
      frame = this.#targetFrames.get(into) ?? { ...frame, data: into };
      this.#targetFrames.set(into, frame);
      target = { buffer: into.buffer, byteOffset: into.byteOffset, length: into.length };
    }
    frame.stampNs = stampNs;
    const id = this.#nextId++;
    let resolve!: (f: Frame) => void, reject!: (e: Error) => void;
    const promise = new Promise<Frame>((res, rej) => { resolve = res; reject = rej; });
    this.#inFlight = { id, frame, promise, resolve, reject };
    const w = this.#world;
    const request: RenderRequest = {
      id, slot, target, q: Float64Array.from(w.dynamics.position),
      objects: w.objects.map((o) => ({ color: o.color, size: o.size, pose: o.pose })),
      cloth: w.cloth ? { rows: w.cloth.rows, cols: w.cloth.cols, positions: Float64Array.from(w.cloth.positions) } : undefined,
    };
    this.#worker.postMessage(request);
    return promise;
  }

  /**
   * Captures (stamped nowNs) when the sim has reached the next frame time on the fps grid, as SimCamera#poll;
   * returns the frame's promise, or undefined when no frame is due (or one is still rendering).
   */
  poll(nowNs: bigint): Promise<Frame> | undefined {
    if (!this.#connected || this.#inFlight) return undefined;
    const due = this.#nextNs;
    if (due !== undefined && nowNs < due) return undefined;
    this.#nextNs = due !== undefined && nowNs - due < this.periodNs ? due + this.periodNs : nowNs + this.periodNs;
    return this.capture(nowNs);
  }

  read(): Frame | undefined {
    return this.#latest;
  }

  readFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    if (!this.#connected && !(this.#latest && this.#latest.seq > afterSeq)) {
      return Promise.reject(new Error(`ThreadedSimCamera#readFresh: camera "${this.info.name}" is not connected; call connect() first`));
    }
    return this.#waiters.wait(this.#latest, afterSeq, timeoutMs);
  }

  #done(m: RenderReply): void {
    const f = this.#inFlight;
    if (!f || f.id !== m.id) return;
    this.#inFlight = undefined;
    if (m.error) {
      f.reject(new Error(`ThreadedSimCamera: camera "${this.info.name}" could not render: ${m.error}`));
      return;
    }
    this.lastRenderMs = m.renderMs;
    f.frame.seq = ++this.#seq;
    this.#latest = f.frame;
    this.#waiters.wake(f.frame);
    f.resolve(f.frame);
  }

  #fail(error: Error): void {
    this.#readyReject(error);
    const f = this.#inFlight;
    this.#inFlight = undefined;
    f?.reject(error);
    this.#waiters.rejectAll(error.message);
  }
}
