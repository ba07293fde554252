// A camera fed from the graph: sensor_msgs/Image (rgb8/bgr8) or sensor_msgs/CompressedImage (jpeg/png, decoded
// with OpenCV on libuv's pool). A message that does not fit the declared camera (size, encoding, truncated data,
// undecodable bytes) is counted and reported, never thrown: one bad publisher must not take perception down.
import type { GraphNode, Subscription } from '../../runtime/graph/index.js';
import { QoS } from '../../runtime/graph/index.js';
import { MsgTypes, nsFromTime, type CompressedImage, type Image } from '../../runtime/messages/index.js';
import type { Clock } from '../../runtime/loop/clock.js';
import type { Camera, CameraInfo, Frame, PixelEncoding } from './camera.js';
import { FrameRing } from './frame-ring.js';
import { loadOpenCv, type OpenCv } from './opencv-loader.js';

export interface TopicCameraConfig {
  name: string;
  width: number;
  height: number;
  fps: number;
  /** Encoding of the frames handed out; incoming rgb8/bgr8 is converted to it. Default rgb8. */
  encoding?: PixelEncoding;
  /** Subscribe to CompressedImage instead of Image. Default false. */
  compressed?: boolean;
  /** Default /<name>/image_raw, or /<name>/image_raw/compressed when compressed. */
  topic?: string;
}

export interface TopicCameraDeps {
  node: GraphNode;
  /** Stamps frames whose header has no stamp; default CLOCK_MONOTONIC. */
  clock?: Pick<Clock, 'nowNs'>;
  /** Each malformed message, with why; default: a console warning at most every 5 s, with the count. */
  onMalformed?: (reason: string, count: number) => void;
}

export interface TopicCameraStats {
  received: number;
  frames: number;
  malformed: number;
  lastMalformed: string;
  /** Compressed messages replaced by a newer one while a decode was running. */
  droppedWhileDecoding: number;
}

const monotonic = { nowNs: (): bigint => process.hrtime.bigint() };

export class TopicCamera implements Camera {
  readonly info: CameraInfo;
  readonly topic: string;
  readonly stats: TopicCameraStats = { received: 0, frames: 0, malformed: 0, lastMalformed: '', droppedWhileDecoding: 0 };
  readonly #config: TopicCameraConfig;
  readonly #deps: TopicCameraDeps;
  readonly #clock: Pick<Clock, 'nowNs'>;
  readonly #ring: FrameRing;
  #cv: OpenCv | undefined;
  #sub: Subscription | undefined;
  #decoding = false;
  #pending: CompressedImage | undefined;
  #lastWarnMs = -Infinity;

  constructor(config: TopicCameraConfig, deps: TopicCameraDeps) {
    for (const key of ['width', 'height'] as const) {
      if (!Number.isInteger(config[key]) || config[key] < 1) throw new RangeError(`TopicCamera: ${key} must be a positive integer, got ${config[key]}`);
    }
    this.#config = config;
    this.#deps = deps;
    this.#clock = deps.clock ?? monotonic;
    this.info = Object.freeze({ name: config.name, width: config.width, height: config.height, fps: config.fps, encoding: config.encoding ?? 'rgb8' });
    this.topic = config.topic ?? (config.compressed ? `/${config.name}/image_raw/compressed` : `/${config.name}/image_raw`);
    this.#ring = new FrameRing(`TopicCamera '${config.name}'`, config.width, config.height);
  }

  get connected(): boolean {
    return this.#sub !== undefined;
  }

  /** Subscribes; loads OpenCV first for a compressed topic (a UserError says how to install it). */
  async connect(): Promise<void> {
    if (this.#sub) return;
    if (this.#config.compressed) this.#cv = loadOpenCv('TopicCamera#connect');
    this.#sub = this.#config.compressed
      ? this.#deps.node.createSubscription<CompressedImage>(MsgTypes.CompressedImage, this.topic, (m) => this.#onCompressed(m), QoS.sensorData)
      : this.#deps.node.createSubscription<Image>(MsgTypes.Image, this.topic, (m) => this.#onImage(m), QoS.sensorData);
  }

  read(): Frame | undefined {
    return this.#ring.latest;
  }

  readFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    return this.#ring.waitFresh(afterSeq, timeoutMs);
  }

  async disconnect(): Promise<void> {
    this.#sub?.destroy();
    this.#sub = undefined;
    this.#pending = undefined;
    this.#ring.rejectWaiters(`camera '${this.info.name}' was disconnected`);
  }

  #onImage(msg: Image): void {
    this.stats.received++;
    try {
      const problem = this.#checkImage(msg);
      if (problem) return this.#malformed(problem);
      const target = this.#ring.acquire();
      copyPixels(msg.data, msg.step, msg.encoding === 'bgr8', target, this.info.width, this.info.height, this.info.encoding === 'bgr8');
      this.#commit(msg.header?.stamp);
    } catch (error) {
      this.#malformed(`unreadable Image: ${(error as Error).message}`);
    }
  }

  #checkImage(msg: Image): string | undefined {
    const { width, height } = this.info;
    if (!msg || typeof msg !== 'object') return 'not an Image message';
    if (msg.encoding !== 'rgb8' && msg.encoding !== 'bgr8') return `encoding "${String(msg.encoding)}" is not rgb8 or bgr8`;
    if (msg.width !== width || msg.height !== height) return `size ${msg.width}×${msg.height} is not the declared ${width}×${height}`;
    if (!Number.isInteger(msg.step) || msg.step < width * 3) return `step ${msg.step} is shorter than a row (${width * 3} bytes)`;
    if (!(msg.data instanceof Uint8Array)) return 'data is not a byte array';
    if (msg.data.length < msg.step * (height - 1) + width * 3) return `data has ${msg.data.length} bytes, expected ${msg.step * height}`;
    return undefined;
  }

  #onCompressed(msg: CompressedImage): void {
    this.stats.received++;
    if (!msg || !(msg.data instanceof Uint8Array) || msg.data.length === 0) return this.#malformed('CompressedImage without data');
    // ROS formats look like "jpeg", "png" or "rgb8; jpeg compressed bgr8".
    const format = String(msg.format ?? '').toLowerCase();
    if (!/jpe?g|png/.test(format)) return this.#malformed(`format "${msg.format}" is not jpeg or png`);
    if (this.#decoding) {
      if (this.#pending) this.stats.droppedWhileDecoding++;
      this.#pending = msg;
      return;
    }
    void this.#decode(msg);
  }

  async #decode(msg: CompressedImage): Promise<void> {
    const cv = this.#cv!;
    this.#decoding = true;
    try {
      const stampNs = this.#stampOf(msg.header?.stamp);
      let mat;
      try {
        mat = await cv.imdecodeAsync(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength), cv.IMREAD_COLOR);
      } catch (error) {
        return this.#malformed(`${msg.format} data does not decode: ${(error as Error).message}`);
      }
      if (!this.#sub) return;
      if (mat.empty || mat.channels !== 3) return this.#malformed(`${msg.format} data does not decode to a colour image`);
      if (mat.cols !== this.info.width || mat.rows !== this.info.height) {
        return this.#malformed(`decoded size ${mat.cols}×${mat.rows} is not the declared ${this.info.width}×${this.info.height}`);
      }
      const bytes = mat.getData();
      copyPixels(bytes, this.info.width * 3, true, this.#ring.acquire(), this.info.width, this.info.height, this.info.encoding === 'bgr8');
      this.#ring.commit(stampNs, this.info.encoding);
      this.stats.frames++;
    } finally {
      this.#decoding = false;
      const next = this.#pending;
      this.#pending = undefined;
      if (next && this.#sub) void this.#decode(next);
    }
  }

  #commit(stamp: { sec: number; nanosec: number } | undefined): void {
    this.#ring.commit(this.#stampOf(stamp), this.info.encoding);
    this.stats.frames++;
  }

  /** The header stamp is the capture time; a publisher that leaves it zero gets the receive time. */
  #stampOf(stamp: { sec: number; nanosec: number } | undefined): bigint {
    if (stamp && (stamp.sec !== 0 || stamp.nanosec !== 0)) return nsFromTime(stamp);
    return this.#clock.nowNs();
  }

  #malformed(reason: string): void {
    this.stats.malformed++;
    this.stats.lastMalformed = reason;
    const report = this.#deps.onMalformed;
    if (report) {
      try {
        report(reason, this.stats.malformed);
      } catch { /* a faulty reporter must not break the subscription */ }
      return;
    }
    const nowMs = performance.now();
    if (nowMs - this.#lastWarnMs >= 5000) {
      this.#lastWarnMs = nowMs;
      console.warn(`TopicCamera '${this.info.name}': malformed message on ${this.topic} (${this.stats.malformed} so far): ${reason}`);
    }
  }
}

/** Copies rows (dropping any row padding), swapping R and B when the source and target orders differ. */
function copyPixels(src: Uint8Array, srcStep: number, srcBgr: boolean, dst: Uint8Array, width: number, height: number, dstBgr: boolean): void {
  const rowBytes = width * 3;
  if (srcBgr === dstBgr) {
    if (srcStep === rowBytes) dst.set(src.subarray(0, rowBytes * height));
    else for (let y = 0; y < height; y++) dst.set(src.subarray(y * srcStep, y * srcStep + rowBytes), y * rowBytes);
    return;
  }
  for (let y = 0; y < height; y++) {
    let s = y * srcStep;
    let d = y * rowBytes;
    const end = d + rowBytes;
    for (; d < end; d += 3, s += 3) {
      dst[d] = src[s + 2];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s];
    }
  }
}
