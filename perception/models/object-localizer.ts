// The runner for the shipped vision model: a preprocessed overhead image in (README.md contract), boxes on the
// table out ({color, x, y, yaw, confidence} in the base frame), and the same as vision_msgs/Detection2DArray for
// /perception/detections. Everything the runner needs to know about the model (classes, input size, camera,
// table, threshold) comes from the model's own metadata, so a retrained model needs no code change.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Tensor } from 'onnxruntime-node';
import { UserError } from '../../runtime/errors.js';
import type { Detection2D, Detection2DArray, Time } from '../../runtime/messages/index.js';
import { PinholeCamera } from './camera-model.js';
import type { CameraParams, PixelPoint } from './camera-model.js';
import { LocalizerDecoder } from './localizer-decode.js';
import type { LocalizerDetection, TableBounds } from './localizer-decode.js';
import { OnnxSession } from './onnx-session.js';
import type { OnnxSessionLogger } from './onnx-session.js';

const ASSET = join('perception', 'models', 'assets', 'object-localizer.onnx');

/** The shipped model: found by walking up from this module (dist/ builds do not copy .onnx files). */
export function defaultLocalizerModelPath(fromDir = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ASSET))) return join(dir, ASSET);
    if (dirname(dir) === dir) return join(fromDir, 'assets', 'object-localizer.onnx');
  }
}

export interface ObjectLocalizerConfig {
  /** Default: the shipped assets/object-localizer.onnx. */
  modelPath?: string;
  /** Execution-provider preference. Default ['cpu']. */
  providers?: readonly string[];
  logger?: OnnxSessionLogger;
  /** Heatmap peak needed for a detection. Default: the model's `threshold` metadata. */
  threshold?: number;
  /** The overhead camera, when it differs from the one the model was trained with (metadata `camera`). */
  camera?: CameraParams;
  /** frame_id of the Detection2DArray header. Default the camera's optical frame. */
  frameId?: string;
}

export class ObjectLocalizer {
  readonly session: OnnxSession;
  readonly classes: readonly string[];
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Full-resolution camera the detections are back-projected with. */
  readonly camera: PinholeCamera;
  /** The model input [1, 3, H, W]: preprocess into this buffer, then call run(). */
  readonly input: Float32Array;
  readonly #feeds: Record<string, Tensor>;
  readonly #fetches: Record<string, Tensor>;
  readonly #decoder: LocalizerDecoder;
  readonly #message: Detection2DArray;
  readonly #pool: Detection2D[];
  readonly #px: PixelPoint = { u: 0, v: 0, depthM: 0 };
  readonly #found: LocalizerDetection[] = [];
  readonly #hasMask: boolean;
  #count = 0;

  private constructor(session: OnnxSession, config: ObjectLocalizerConfig) {
    this.session = session;
    const meta = session.info.metadata;
    const need = (key: string): string => {
      const v = meta[key];
      if (v === undefined) throw new UserError(`ObjectLocalizer: ${session.modelPath} lacks metadata "${key}"; rebuild it with perception/models/train/train.ts`);
      return v;
    };
    this.classes = need('classes').split(',');
    this.inputWidth = Number(need('input_width'));
    this.inputHeight = Number(need('input_height'));
    const factor = Number(need('resize_factor'));
    const cellPx = factor * Number(need('cell_stride'));
    this.camera = new PinholeCamera(config.camera ?? (JSON.parse(need('camera')) as CameraParams));
    const k = this.camera.intrinsics;
    if (k.width !== this.inputWidth * factor || k.height !== this.inputHeight * factor) {
      throw new UserError(`ObjectLocalizer: camera "${this.camera.name}" is ${k.width}x${k.height}; the model expects ${this.inputWidth * factor}x${this.inputHeight * factor} frames`);
    }
    const heat = session.output('heatmap'), reg = session.output('regression');
    const [cellsY, cellsX] = [Number(heat.dims[2]), Number(heat.dims[3])];
    if (heat.dims[1] !== this.classes.length || reg.dims[1] !== 5) {
      throw new UserError(`ObjectLocalizer: ${session.modelPath} outputs heatmap [${heat.dims}] and regression [${reg.dims}]; expected ${this.classes.length} classes and 5 regression channels`);
    }
    this.#decoder = new LocalizerDecoder({
      classes: this.classes, cellsX, cellsY, cellPx,
      threshold: config.threshold ?? Number(meta.threshold ?? 0.5),
      table: JSON.parse(need('table')) as TableBounds,
      sizeMeanM: Number(need('size_mean_m')), sizeScaleM: Number(need('size_scale_m')),
      input: { width: this.inputWidth, height: this.inputHeight, factor },
    }, this.camera);
    this.#hasMask = session.outputs.some((o) => o.name === 'mask');
    this.input = new Float32Array(3 * this.inputWidth * this.inputHeight);
    this.#feeds = { image: new ort.Tensor('float32', this.input, [1, 3, this.inputHeight, this.inputWidth]) };
    this.#fetches = session.allocateOutputs();
    const frameId = config.frameId ?? `${this.camera.name}_camera_optical_frame`;
    this.#pool = this.classes.map(() => emptyDetection(frameId));
    this.#message = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: frameId }, detections: [] };
  }

  static async create(config: ObjectLocalizerConfig = {}): Promise<ObjectLocalizer> {
    const path = config.modelPath ?? defaultLocalizerModelPath();
    const session = await OnnxSession.create(path, {
      providers: config.providers, logger: config.logger,
      inputs: [{ name: 'image', type: 'float32', dims: [1, 3, null, null] }],
      outputs: [{ name: 'heatmap', type: 'float32' }, { name: 'regression', type: 'float32', dims: [1, 5, null, null] }],
    });
    try {
      return new ObjectLocalizer(session, config);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  get provider(): string {
    return this.session.provider;
  }

  /**
   * Runs the model on `input` (default: this.input, already filled) and decodes. The returned array and its
   * objects are reused by the next call: copy what you keep.
   */
  async run(input?: Float32Array): Promise<readonly LocalizerDetection[]> {
    if (input && input !== this.input) {
      if (input.length !== this.input.length) {
        throw new Error(`ObjectLocalizer#run: input holds ${input.length} values, the model takes [1,3,${this.inputHeight},${this.inputWidth}] = ${this.input.length}`);
      }
      this.input.set(input);
    }
    await this.session.run(this.#feeds, this.#fetches);
    const f = this.#fetches;
    const mask = this.#hasMask ? (f.mask.data as Float32Array) : undefined;
    this.#count = this.#decoder.decode(f.heatmap.data as Float32Array, f.regression.data as Float32Array, mask);
    this.#found.length = 0;
    for (let i = 0; i < this.#count; i++) this.#found.push(this.#decoder.detections[i]);
    return this.#found;
  }

  /**
   * The last run's detections as vision_msgs/Detection2DArray (one reused message object). The header names the
   * image the detections come from (as vision_msgs asks); bbox is in that image's pixels; results[0].pose is the
   * box centre in the arm's base frame, class_id its colour.
   */
  detectionArray(stamp: Time): Detection2DArray {
    const msg = this.#message;
    msg.header.stamp.sec = stamp.sec;
    msg.header.stamp.nanosec = stamp.nanosec;
    msg.detections.length = 0;
    const f = this.camera.intrinsics.fx;
    for (let i = 0; i < this.#count; i++) {
      const d = this.#decoder.detections[i], m = this.#pool[i];
      m.header.stamp.sec = stamp.sec;
      m.header.stamp.nanosec = stamp.nanosec;
      m.id = d.color;
      const r = m.results[0];
      r.hypothesis.class_id = d.color;
      r.hypothesis.score = d.confidence;
      const pose = r.pose.pose;
      pose.position.x = d.xM; pose.position.y = d.yM; pose.position.z = d.zM;
      pose.orientation.z = Math.sin(d.yawRad / 2); pose.orientation.w = Math.cos(d.yawRad / 2);
      pose.orientation.x = 0; pose.orientation.y = 0;
      // Image angle of the box's x edge: project a point along it (u right, v down; angle from +u toward +v).
      const half = d.sizeM / 2;
      this.camera.project(d.xM + half * Math.cos(d.yawRad), d.yM + half * Math.sin(d.yawRad), d.zM + half, this.#px);
      m.bbox.center.position.x = d.u;
      m.bbox.center.position.y = d.v;
      m.bbox.center.theta = Math.atan2(this.#px.v - d.v, this.#px.u - d.u);
      const sidePx = (f * d.sizeM) / Math.max(1e-6, this.#px.depthM);
      m.bbox.size_x = sidePx;
      m.bbox.size_y = sidePx;
      msg.detections.push(m);
    }
    return msg;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function emptyDetection(frameId: string): Detection2D {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: frameId },
    results: [{
      hypothesis: { class_id: '', score: 0 },
      pose: { pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }, covariance: new Array<number>(36).fill(0) },
    }],
    bbox: { center: { position: { x: 0, y: 0 }, theta: 0 }, size_x: 0, size_y: 0 },
    id: '',
  };
}
