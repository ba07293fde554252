// A camera read through OpenCV's VideoCapture: a V4L2 device (index or /dev/video path), a GStreamer pipeline, or
// a video file (how CI tests it). Reads run on libuv's pool (readAsync), so the event loop only does the short
// colour conversion and copy. Frames are stamped when the read completes. When reads fail (unplugged camera, end of
// a file without `loop`) the camera marks itself disconnected and reopens the source with exponential backoff.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../runtime/errors.js';
import type { Clock } from '../../runtime/loop/clock.js';
import type { Camera, CameraInfo, Frame, PixelEncoding } from './camera.js';
import { FrameRing } from './frame-ring.js';
import { loadOpenCv, type Mat, type OpenCv } from './opencv-loader.js';

export interface OpenCvCameraConfig {
  /** Topic-safe name: frames go to /<name>/image_raw. */
  name: string;
  /** V4L2 index (0) or path (/dev/video0), a GStreamer pipeline (contains '!', ends in appsink), or a video file. */
  source: number | string;
  width: number;
  height: number;
  fps: number;
  /** Video files: rewind at the end instead of treating it as a lost source. Default false. */
  loop?: boolean;
  /** Encoding of the frames handed out; OpenCV captures BGR. Default rgb8 (what the vision model takes). */
  encoding?: PixelEncoding;
  /** Video files: replay at `fps` (default true); false reads as fast as decoding allows. */
  realtime?: boolean;
  /** Reconnect backoff: first delay, doubled per failed attempt up to maxDelayMs. */
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
}

export type CameraLinkState = 'disconnected' | 'connected' | 'reconnecting';

export interface CameraStatusEvent {
  camera: string;
  state: CameraLinkState;
  /** Why the state changed (the failed read, the reopen attempt). */
  detail: string;
}

export interface OpenCvCameraDeps {
  /** Stamps frames; default CLOCK_MONOTONIC (the stack passes its own Clock). */
  clock?: Pick<Clock, 'nowNs'>;
  onStatus?: (event: CameraStatusEvent) => void;
}

export interface OpenCvCameraStats {
  framesCaptured: number;
  readFailures: number;
  reconnects: number;
  /** Frames whose size differed from the declared one and were resized. */
  resized: number;
  lastError: string;
}

type SourceKind = 'device' | 'gstreamer' | 'file';

export function classifySource(source: number | string): { kind: SourceKind; arg: number | string } {
  if (typeof source === 'number') return { kind: 'device', arg: source };
  if (/^\d+$/.test(source)) return { kind: 'device', arg: Number(source) };
  if (source.includes('!')) return { kind: 'gstreamer', arg: source };
  if (source.startsWith('/dev/video')) return { kind: 'device', arg: source };
  return { kind: 'file', arg: source };
}

const monotonic = { nowNs: (): bigint => process.hrtime.bigint() };

export class OpenCvCamera implements Camera {
  readonly info: CameraInfo;
  readonly config: Readonly<Required<OpenCvCameraConfig>>;
  readonly stats: OpenCvCameraStats = { framesCaptured: 0, readFailures: 0, reconnects: 0, resized: 0, lastError: '' };
  readonly #deps: OpenCvCameraDeps;
  readonly #clock: Pick<Clock, 'nowNs'>;
  readonly #ring: FrameRing;
  readonly #source: { kind: SourceKind; arg: number | string };
  #cv: OpenCv | undefined;
  #cap: InstanceType<OpenCv['VideoCapture']> | undefined;
  #state: CameraLinkState = 'disconnected';
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(config: OpenCvCameraConfig, deps: OpenCvCameraDeps = {}) {
    for (const key of ['width', 'height'] as const) {
      if (!Number.isInteger(config[key]) || config[key] < 1) throw new RangeError(`OpenCvCamera: ${key} must be a positive integer, got ${config[key]}`);
    }
    if (!(config.fps > 0)) throw new RangeError(`OpenCvCamera: fps must be > 0, got ${config.fps}`);
    this.config = Object.freeze({
      loop: false, encoding: 'rgb8', realtime: true, reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 2000, ...config,
    });
    this.info = Object.freeze({ name: config.name, width: config.width, height: config.height, fps: config.fps, encoding: this.config.encoding });
    this.#deps = deps;
    this.#clock = deps.clock ?? monotonic;
    this.#ring = new FrameRing(`OpenCvCamera '${config.name}'`, config.width, config.height);
    this.#source = classifySource(config.source);
  }

  get connected(): boolean {
    return this.#state === 'connected';
  }

  get state(): CameraLinkState {
    return this.#state;
  }

  /** Opens the source and reads a first frame; throws a UserError naming the source when it cannot. */
  async connect(): Promise<void> {
    if (this.#loop) return;
    this.#cv = loadOpenCv('OpenCvCamera#connect');
    const { kind, arg } = this.#source;
    if (kind === 'file' && !existsSync(String(arg))) {
      throw new UserError(`OpenCvCamera#connect: camera '${this.info.name}': video file ${String(arg)} does not exist`);
    }
    const cap = this.#open();
    const first = await this.#readMat(cap);
    if (!first) {
      cap.release();
      throw new UserError(`OpenCvCamera#connect: camera '${this.info.name}': ${this.#describeSource()} opened but gave no frame${this.stats.lastError ? ` (${this.stats.lastError})` : ''}`);
    }
    this.#cap = cap;
    const stampNs = this.#clock.nowNs();
    this.#setState('connected', `opened ${this.#describeSource()}`);
    await this.#store(first, stampNs);
    this.#stop = new AbortController();
    this.#loop = this.#run(this.#stop.signal);
  }

  read(): Frame | undefined {
    return this.#ring.latest;
  }

  readFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    return this.#ring.waitFresh(afterSeq, timeoutMs);
  }

  async disconnect(): Promise<void> {
    this.#stop?.abort();
    // Let an in-flight readAsync finish before releasing: the pool thread still uses the capture.
    await this.#loop;
    this.#loop = undefined;
    this.#stop = undefined;
    this.#cap?.release();
    this.#cap = undefined;
    this.#ring.rejectWaiters(`camera '${this.info.name}' was disconnected`);
    if (this.#state !== 'disconnected') this.#setState('disconnected', 'disconnect() called');
  }

  async #run(signal: AbortSignal): Promise<void> {
    const periodMs = 1000 / this.config.fps;
    const paced = this.#source.kind === 'file' && this.config.realtime;
    let nextMs = performance.now() + periodMs;
    while (!signal.aborted) {
      if (!this.#cap) {
        await this.#reopen(signal);
        nextMs = performance.now();
        continue;
      }
      if (paced) {
        const waitMs = nextMs - performance.now();
        if (waitMs > 0) await sleep(waitMs, undefined, { signal }).catch(() => undefined);
        // Absolute deadlines, but never a burst to catch up after a stall.
        nextMs = Math.max(nextMs + periodMs, performance.now());
        if (signal.aborted) break;
      }
      let mat = await this.#readMat(this.#cap);
      if (signal.aborted) break;
      if (!mat && this.#source.kind === 'file' && this.config.loop) {
        this.#cap.set(this.#cv!.CAP_PROP_POS_FRAMES, 0);
        mat = await this.#readMat(this.#cap);
      }
      if (!mat) {
        this.stats.readFailures++;
        this.#cap.release();
        this.#cap = undefined;
        // Pending readFresh calls keep waiting (up to their own timeouts): the reconnect may bring the frame.
        this.#setState('reconnecting', `read failed: ${this.stats.lastError}`);
        continue;
      }
      await this.#store(mat, this.#clock.nowNs());
    }
  }

  async #reopen(signal: AbortSignal): Promise<void> {
    let delayMs = this.config.reconnectInitialDelayMs;
    for (let attempt = 1; !signal.aborted; attempt++) {
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        const cap = this.#open();
        const first = await this.#readMat(cap);
        if (signal.aborted || !first) {
          cap.release();
          if (!first) throw new Error(this.stats.lastError || 'no frame after reopening');
          return;
        }
        this.#cap = cap;
        this.stats.reconnects++;
        const stampNs = this.#clock.nowNs();
        // Connected before the frame lands: whoever its arrival wakes sees the camera connected.
        this.#setState('connected', `reopened ${this.#describeSource()} after ${attempt} attempt(s)`);
        await this.#store(first, stampNs);
        return;
      } catch (error) {
        this.stats.lastError = (error as Error).message;
        this.#setState('reconnecting', `attempt ${attempt} failed: ${this.stats.lastError}; next in ${Math.min(delayMs * 2, this.config.reconnectMaxDelayMs)} ms`);
        delayMs = Math.min(delayMs * 2, this.config.reconnectMaxDelayMs);
      }
    }
  }

  #open(): InstanceType<OpenCv['VideoCapture']> {
    const cv = this.#cv!;
    const { kind, arg } = this.#source;
    let cap: InstanceType<OpenCv['VideoCapture']>;
    try {
      cap = kind === 'gstreamer' ? new cv.VideoCapture(String(arg), cv.CAP_GSTREAMER)
        : kind === 'device' ? new cv.VideoCapture(arg as never, cv.CAP_V4L2)
          : new cv.VideoCapture(String(arg));
    } catch (error) {
      const hint = kind === 'device' ? ' (is the camera plugged in? see `ls /dev/video*` and `v4l2-ctl --list-devices`)'
        : kind === 'gstreamer' ? ' (does the pipeline end in appsink, and is OpenCV built with GStreamer?)' : '';
      throw new UserError(`OpenCvCamera#connect: camera '${this.info.name}' cannot open ${this.#describeSource()}: ${(error as Error).message}${hint}`);
    }
    if (kind === 'device') {
      // Requests only: a device picks the nearest mode it has, and #store resizes what differs.
      cap.set(cv.CAP_PROP_FRAME_WIDTH, this.info.width);
      cap.set(cv.CAP_PROP_FRAME_HEIGHT, this.info.height);
      cap.set(cv.CAP_PROP_FPS, this.info.fps);
      cap.set(cv.CAP_PROP_BUFFERSIZE, 1);
    }
    return cap;
  }

  /** The next frame, or undefined (with lastError set) when the read failed or came back empty. */
  async #readMat(cap: InstanceType<OpenCv['VideoCapture']>): Promise<Mat | undefined> {
    try {
      const mat = await cap.readAsync();
      if (mat.empty || mat.rows === 0) {
        this.stats.lastError = this.#source.kind === 'file' ? 'end of file' : 'empty frame';
        return undefined;
      }
      return mat;
    } catch (error) {
      this.stats.lastError = (error as Error).message;
      return undefined;
    }
  }

  /** Converts to the declared size and encoding on libuv's pool, then copies into the ring (the only sync work). */
  async #store(mat: Mat, stampNs: bigint): Promise<void> {
    const cv = this.#cv!;
    const { width, height, encoding } = this.info;
    let m = mat;
    if (m.channels === 1) m = await m.cvtColorAsync(cv.COLOR_GRAY2BGR);
    else if (m.channels === 4) m = await m.cvtColorAsync(cv.COLOR_BGRA2BGR);
    if (m.cols !== width || m.rows !== height) {
      this.stats.resized++;
      m = await m.resizeAsync(height, width, 0, 0, cv.INTER_AREA);
    }
    if (encoding === 'rgb8') m = await m.cvtColorAsync(cv.COLOR_BGR2RGB);
    const bytes = await m.getDataAsync();
    const target = this.#ring.acquire();
    if (bytes.length !== target.length) {
      this.stats.lastError = `frame has ${bytes.length} bytes, expected ${target.length} (${width}×${height}×3)`;
      this.stats.readFailures++;
      return;
    }
    target.set(bytes);
    this.#ring.commit(stampNs, encoding);
    this.stats.framesCaptured++;
  }

  #setState(state: CameraLinkState, detail: string): void {
    this.#state = state;
    this.#deps.onStatus?.({ camera: this.info.name, state, detail });
  }

  #describeSource(): string {
    const { kind, arg } = this.#source;
    return kind === 'device' ? `V4L2 device ${String(arg)}` : kind === 'gstreamer' ? `GStreamer pipeline "${String(arg)}"` : `video file ${String(arg)}`;
  }
}
