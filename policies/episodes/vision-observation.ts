// `--features vision`: the task observation the way the deployed stack gets it. The sim's overhead camera
// renders the world, the pure-TS preprocess reduces the frame to the model input, the shipped object localizer
// finds the boxes, and the detection of the target's colour gives the box's place and yaw.
//
// Like a camera with its own inference, the localizer runs beside the control loop. Each tick submits a frame
// when no inference is in flight, and read() answers with the newest finished detection (one tick of latency
// under the sim clock). A box the localizer does not report (held, in a bin, hidden by the arm) keeps its last
// seen place, as the worker's vision stage does.
import { existsSync } from 'node:fs';
import type { JointState } from '../../runtime/messages/index.js';
import type { World } from '../../sim/world.js';
import { SceneRenderer } from '../../sim/render/scene-renderer.js';
import { overheadView, type SimView } from '../../sim/render/sim-views.js';
import { TsPreprocessor } from '../../perception/preprocess/ts-preprocessor.js';
import { ObjectLocalizer, defaultLocalizerModelPath } from '../../perception/models/object-localizer.js';
import { ArmSelfFilter } from '../../perception/arm-self-filter.js';
import type { Kinematics } from '../../runtime/robot/index.js';
import type { TaskObservation, TaskObservationSource } from '../features.js';

export interface VisionObservationOptions {
  /** Default: the shipped perception/models/assets/object-localizer.onnx. */
  modelPath?: string;
  providers?: readonly string[];
  /** Render and detect every k-th tick (a slower camera). Default 1. */
  everyTicks?: number;
  /** Pixel noise of the rendered frames, 8-bit levels (0 = none). Default 2. */
  pixelNoiseLevels?: number;
  /**
   * Skip detections the arm may be covering (perception/arm-self-filter.ts) and keep the last clear estimate.
   * Default on when kinematics is given to create().
   */
  selfFilter?: boolean;
}

/** The localizer and frame buffers, shared by the episodes of one evaluation. */
export class VisionObservationFactory {
  readonly localizer: ObjectLocalizer;
  readonly options: VisionObservationOptions;
  readonly #preprocess: TsPreprocessor;
  readonly #frame: Uint8Array;
  readonly #view: SimView;
  readonly selfFilter: ArmSelfFilter | undefined;
  #busy = false;

  private constructor(localizer: ObjectLocalizer, options: VisionObservationOptions, kinematics?: Kinematics) {
    this.localizer = localizer;
    this.options = options;
    this.#view = overheadView();
    this.selfFilter = kinematics && options.selfFilter !== false ? new ArmSelfFilter(kinematics, localizer.camera) : undefined;
    const k = this.#view.camera.intrinsics;
    this.#preprocess = new TsPreprocessor({ inputWidth: k.width, inputHeight: k.height, factor: k.width / localizer.inputWidth });
    this.#frame = new Uint8Array(k.width * k.height * 3);
  }

  /** Why vision features cannot run here, or undefined when they can. */
  static unavailable(options: VisionObservationOptions = {}): string | undefined {
    const path = options.modelPath ?? defaultLocalizerModelPath();
    return existsSync(path) ? undefined : `the vision model ${path} does not exist (train it with perception/models/train/train.ts)`;
  }

  static async create(options: VisionObservationOptions = {}, kinematics?: Kinematics): Promise<VisionObservationFactory> {
    const localizer = await ObjectLocalizer.create({ modelPath: options.modelPath, providers: options.providers });
    return new VisionObservationFactory(localizer, options, kinematics);
  }

  /** The task observation of one episode: the target box (by colour) and the target bin. */
  forEpisode(world: World, targetId: string, bin: number, noiseSeed: number): TaskObservationSource {
    const target = world.objects.find((o) => o.id === targetId);
    if (!target) throw new Error(`VisionObservationFactory#forEpisode: no object "${targetId}" in the world`);
    const b = world.bins.find((s) => s.number === bin);
    if (!b) throw new Error(`VisionObservationFactory#forEpisode: no bin ${bin} in the world`);
    const classIndex = this.localizer.classes.indexOf(target.color);
    if (classIndex < 0) throw new Error(`VisionObservationFactory#forEpisode: the localizer knows no colour "${target.color}" (${this.localizer.classes.join(', ')})`);
    const levels = this.options.pixelNoiseLevels ?? 2;
    const renderer = SceneRenderer.forWorld(world, levels > 0 ? { noise: { seed: noiseSeed, stddevLevels: levels } } : {});
    return new VisionTaskObservation(this, world, renderer, classIndex, b.centerXM, b.centerYM);
  }

  /** True while a detection is in flight (one at a time: the input buffer and session are shared). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Renders the world, preprocesses into the localizer's input and runs it; undefined while busy. */
  detect(world: World, renderer: SceneRenderer): ReturnType<ObjectLocalizer['run']> | undefined {
    if (this.#busy) return undefined;
    this.#busy = true;
    renderer.renderWorld(world, this.#view, this.#frame);
    this.#preprocess.runRaw(this.#frame, false, this.localizer.input);
    return this.localizer.run().finally(() => {
      this.#busy = false;
    });
  }

  async release(): Promise<void> {
    await this.localizer.release();
  }
}

class VisionTaskObservation implements TaskObservationSource {
  readonly name = 'vision';
  readonly #factory: VisionObservationFactory;
  readonly #world: World;
  readonly #renderer: SceneRenderer;
  readonly #classIndex: number;
  readonly #binXM: number;
  readonly #binYM: number;
  readonly #every: number;
  #ticks = 0;
  #seen = false;
  #x = 0;
  #y = 0;
  #yaw = 0;
  /** The arm when the frame in flight was rendered: the self-filter judges the detection by it. */
  readonly #captureQ: Float64Array;
  /** Detections of the target the self-filter set aside. */
  occludedDetections = 0;
  framesJudged = 0;

  constructor(factory: VisionObservationFactory, world: World, renderer: SceneRenderer, classIndex: number, binXM: number, binYM: number) {
    this.#factory = factory;
    this.#world = world;
    this.#renderer = renderer;
    this.#classIndex = classIndex;
    this.#binXM = binXM;
    this.#binYM = binYM;
    this.#every = Math.max(1, Math.round(factory.options.everyTicks ?? 1));
    this.#captureQ = new Float64Array(world.dynamics.position.length);
  }

  read(_measured: Float64Array, _state: JointState, out: TaskObservation): boolean {
    if (this.#ticks++ % this.#every === 0) {
      const pending = this.#factory.detect(this.#world, this.#renderer);
      if (pending) this.#captureQ.set(this.#world.dynamics.position);
      pending?.then((found) => {
        this.framesJudged++;
        const filter = this.#factory.selfFilter;
        for (const d of found) {
          if (d.classIndex !== this.#classIndex) continue;
          if (filter?.hidesDetection(this.#captureQ, d)) {
            this.occludedDetections++;
            continue;
          }
          this.#x = d.xM;
          this.#y = d.yM;
          this.#yaw = d.yawRad;
          this.#seen = true;
        }
      }, () => undefined);
    }
    out.binXM = this.#binXM;
    out.binYM = this.#binYM;
    if (!this.#seen) return out.valid;
    out.objectXM = this.#x;
    out.objectYM = this.#y;
    out.objectYawRad = this.#yaw;
    out.valid = true;
    return true;
  }
}
