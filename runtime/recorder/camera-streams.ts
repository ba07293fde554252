// The cameras of an EpisodeRecorder: their specs, taps, bounded JPEG queues and the encoder, and turning a frame
// into a sensor_msgs/Image (raw, written at once) or CompressedImage (written when the encoder is done).
import type { Camera, Frame } from '../../perception/cameras/camera.js';
import { timeFromNs, type CompressedImage, type Image } from '../messages/index.js';
import type { ActiveEpisode, CameraSpec } from './active-episode.js';
import { CameraTap } from './camera-tap.js';
import type { RecorderConfig } from './episode-config.js';
import { BoundedEncodeQueue, type FrameEncoder } from './frame-encoder.js';
import { OpenCvJpegEncoder } from './opencv-jpeg-encoder.js';


/** Encoder buffers per camera allocated before an episode starts (first touch is slow on a busy machine). */
const PREPARED_BUFFERS = 16;
export type PushResult = 'written' | 'queued' | 'dropped' | 'ignored';

interface CameraEntry {
  spec: CameraSpec;
  queue?: BoundedEncodeQueue;
  tap?: CameraTap;
}

export class CameraStreams {
  readonly #config: RecorderConfig;
  readonly #entries = new Map<string, CameraEntry>();
  readonly #inFlight = new Set<Promise<void>>();
  #encoder: FrameEncoder | undefined;
  #ownsEncoder = false;

  constructor(config: RecorderConfig, encoder?: FrameEncoder) {
    this.#config = config;
    this.#encoder = encoder;
  }

  add(spec: CameraSpec): void {
    if (this.#entries.has(spec.name)) throw new Error(`EpisodeRecorder#addCamera: camera "${spec.name}" is already added`);
    this.#entries.set(spec.name, { spec: { ...spec } });
  }

  attach(camera: Camera, onFrame: (frame: Frame) => void): void {
    const { name, width, height, fps, encoding } = camera.info;
    this.add({ name, width, height, fps, encoding });
    this.#entries.get(name)!.tap = new CameraTap(camera, onFrame);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  specs(): CameraSpec[] {
    return [...this.#entries.values()].map((e) => e.spec);
  }

  /** Before an episode: the encoder is loaded (a UserError if it cannot be) and its buffers allocated. */
  async prepare(): Promise<void> {
    if (this.#config.imageFormat !== 'jpeg' || this.#entries.size === 0) return;
    if (!this.#encoder) {
      this.#encoder = new OpenCvJpegEncoder();
      this.#ownsEncoder = true;
    }
    await this.#encoder.ready();
    for (const entry of this.#entries.values()) {
      if (entry.queue) continue;
      entry.queue = new BoundedEncodeQueue(this.#encoder, this.#config.encodeQueueDepth, this.#config.jpegQuality);
      // Buffers past these are allocated when a backlog first forms: most episodes never need them.
      this.#encoder.prepare?.(entry.spec.width, entry.spec.height, Math.min(this.#config.encodeQueueDepth, PREPARED_BUFFERS));
    }
  }

  /**
   * Writes (raw) or queues (JPEG) one frame of `name` into `episode`; `afterWrite` runs after each write. Never
   * waits: a full queue drops the frame and counts it.
   */
  push(episode: ActiveEpisode, name: string, frame: Frame, receivedNs: bigint, afterWrite: () => void): PushResult {
    const entry = this.#entries.get(name);
    if (!entry) return 'ignored';
    // Cameras reuse their Frame objects (and buffers): take what the encoder's callback needs now.
    const { stampNs, encoding } = frame;
    const header = { stamp: timeFromNs(stampNs), frame_id: `${name}_optical_frame` };
    if (this.#config.imageFormat === 'raw') {
      const msg: Image = {
        header, height: frame.height, width: frame.width, encoding, is_bigendian: 0,
        step: frame.width * 3, data: frame.data.subarray(0, frame.width * frame.height * 3),
      };
      episode.writeFrame(name, stampNs, receivedNs, msg);
      afterWrite();
      return 'written';
    }
    const pending = entry.queue?.submit(frame);
    if (pending === undefined) {
      episode.dropFrame(name);
      return 'dropped';
    }
    const task = pending.then(
      (jpeg) => {
        const msg: CompressedImage = { header, format: `${encoding}; jpeg compressed bgr8`, data: jpeg };
        episode.writeFrame(name, stampNs, receivedNs, msg);
        afterWrite();
      },
      (error: Error) => {
        episode.dropFrame(name);
        episode.noteError(`${name}: ${error.message}`);
      },
    );
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    return 'queued';
  }

  /** Resolves when every camera's queue has room. */
  async whenCapacity(): Promise<void> {
    for (const entry of this.#entries.values()) await entry.queue?.capacity();
  }

  /** Waits (at most `timeoutMs`) for the frames in the encoder to be written. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  startTaps(): void {
    for (const e of this.#entries.values()) e.tap?.start();
  }

  pauseTaps(): void {
    for (const e of this.#entries.values()) e.tap?.pause();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => e.tap?.stop()));
    if (this.#ownsEncoder) await this.#encoder?.close();
  }
}
