// Live camera panels for the sim stack: the sim's cameras rendered on their own render threads (never inside the
// control tick, and not on the main thread), JPEG-encoded with OpenCV on libuv's thread pool, the overhead frame run through the vision model, and
// the result handed to the dashboard's CameraStream. A camera nobody watches is not rendered at all, and a camera
// whose previous frame is still being encoded or detected skips the beat rather than queueing.
import { performance } from 'node:perf_hooks';
import { ThreadedSimCamera } from '../sim/threaded-sim-camera.js';
import type { World } from '../sim/world.js';
import type { CameraStream } from '../dashboard/server/camera-stream.js';
import type { DetectionWire } from '../dashboard/server/ops-protocol.js';
import { OpenCvJpegEncoder } from '../runtime/recorder/opencv-jpeg-encoder.js';
import { openCvAvailable } from '../perception/cameras/opencv-loader.js';
import { ObjectLocalizer } from '../perception/models/object-localizer.js';
import { areaResizeToNchw } from '../perception/models/train/area-resize.js';
import { timeFromNs } from '../runtime/messages/index.js';

export interface StackCamerasConfig {
  /** Frames per second per camera (default 10). */
  fps: number;
  /** Sim camera names: overhead, wrist. */
  names: readonly ('overhead' | 'wrist')[];
  /** Run the object localizer on the overhead camera and send its detections with the frames. */
  detect: boolean;
  jpegQuality?: number;
  log?: (line: string) => void;
}

interface Cam {
  camera: ThreadedSimCamera;
  busy: boolean;
}

export class StackCameras {
  /** Newest inference time of the vision model, ms; undefined before the first run. */
  inferenceMs: number | undefined;
  /** performance.now() of that run: the model runs only while someone watches the overhead camera. */
  inferenceAtMs = 0;
  readonly #world: World;
  readonly #stream: CameraStream;
  readonly #config: StackCamerasConfig;
  readonly #cams = new Map<string, Cam>();
  #encoder: OpenCvJpegEncoder | undefined;
  #localizer: ObjectLocalizer | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #clock: () => bigint;

  constructor(world: World, stream: CameraStream, config: StackCamerasConfig, clockNs: () => bigint) {
    this.#world = world;
    this.#stream = stream;
    this.#config = config;
    this.#clock = clockNs;
  }

  /** Declares the cameras and starts the render timer; says why when there is no JPEG encoder. */
  async start(): Promise<void> {
    const cv = openCvAvailable();
    if (!cv.ok) {
      // No pure-JS JPEG encoder is installed; panels say so instead of streaming.
      this.#stream.note = `no live cameras: ${cv.reason}`;
      this.#config.log?.(`armstack: ${this.#stream.note}`);
      return;
    }
    this.#encoder = new OpenCvJpegEncoder();
    await this.#encoder.ready();
    for (const name of this.#config.names) {
      const camera = name === 'overhead' ? ThreadedSimCamera.overhead(this.#world, { fps: this.#config.fps }) : ThreadedSimCamera.wrist(this.#world, { fps: this.#config.fps });
      await camera.connect();
      this.#cams.set(name, { camera, busy: false });
      this.#stream.addCamera({ name, width: camera.info.width, height: camera.info.height, fps: this.#config.fps });
    }
    if (this.#config.detect && this.#cams.has('overhead')) {
      try {
        this.#localizer = await ObjectLocalizer.create();
      } catch (err) {
        this.#config.log?.(`armstack: camera detections off: ${(err as Error).message}`);
      }
    }
    this.#timer = setInterval(() => this.#beat(), 1000 / this.#config.fps);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const c of this.#cams.values()) await c.camera.disconnect();
    await this.#localizer?.release();
    this.#localizer = undefined;
    await this.#encoder?.close();
  }

  #beat(): void {
    for (const [name, cam] of this.#cams) {
      if (cam.busy || !this.#stream.wanted(name)) continue;
      cam.busy = true;
      this.#frame(name, cam).catch((err: unknown) => {
        // A capture cut short by stop() is expected, not news.
        if (!this.#stopped) this.#config.log?.(`armstack: camera ${name}: ${(err as Error).message}`);
      }).finally(() => {
        cam.busy = false;
      });
    }
  }

  async #frame(name: string, cam: Cam): Promise<void> {
    const stampNs = this.#clock();
    // The render thread draws a snapshot of the world taken now; the frame stays intact until the capture after
    // next, and both uses below copy or read it before this camera's next beat.
    const frame = await cam.camera.capture(stampNs);
    const { width, height } = frame;
    const encoding = this.#encoder!.encode({ width, height, encoding: 'rgb8', data: frame.data, quality: this.#config.jpegQuality ?? 75 } as Parameters<OpenCvJpegEncoder['encode']>[0]);
    let detections: DetectionWire[] | undefined;
    const localizer = name === 'overhead' ? this.#localizer : undefined;
    if (localizer) {
      const factor = width / localizer.inputWidth;
      areaResizeToNchw(frame.data, width, height, factor, localizer.input);
      const t0 = performance.now();
      await localizer.run();
      this.inferenceAtMs = performance.now();
      this.inferenceMs = this.inferenceAtMs - t0;
      detections = localizer.detectionArray(timeFromNs(stampNs)).detections.map((d) => ({
        label: d.results[0]?.hypothesis.class_id ?? '?',
        score: Math.round((d.results[0]?.hypothesis.score ?? 0) * 1000) / 1000,
        cx: d.bbox.center.position.x, cy: d.bbox.center.position.y, w: d.bbox.size_x, h: d.bbox.size_y,
      }));
    }
    const jpeg = await encoding;
    this.#stream.publish(name, { jpeg, stampNs, width, height, detections });
  }
}
