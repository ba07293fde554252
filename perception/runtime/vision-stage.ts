// The vision model inside the inference worker: the shipped ObjectLocalizer (perception/models), run on the
// preprocessed frame the worker writes straight into its input buffer. The target's detection, picked by the
// goal's class, fills the task observation. A box the localizer does not report this frame (in the gripper,
// occluded) keeps its last seen place: the policy needs "where it was", not a hole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskObservation } from '../../policies/features.js';
import type { Kinematics } from '../../runtime/robot/index.js';
import { ArmSelfFilter } from '../arm-self-filter.js';
import { ObjectLocalizer } from '../models/object-localizer.js';

export interface VisionStage {
  readonly source: string;
  readonly standIn: boolean;
  readonly executionProvider: string;
  readonly classes: readonly string[];
  /** Model input size; frames are reduced to it by an integer box mean. */
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** The model's input [1,3,H,W]: preprocess into this, then run(). */
  readonly input: Float32Array;
  /**
   * Runs the model and updates task.object* and task.valid; true when the target was seen clearly in this frame.
   * armQ: the arm's joints when the frame was captured; with it, a detection the arm may be covering is set aside
   * and the last clear estimate stands (perception/arm-self-filter.ts).
   */
  run(targetClass: number, task: TaskObservation, armQ?: ArrayLike<number>): Promise<boolean>;
  release(): Promise<void>;
}

export class LocalizerVision implements VisionStage {
  readonly source: string;
  readonly standIn: boolean;
  readonly #localizer: ObjectLocalizer;

  /** `bytes` for a model held in memory (a stand-in): onnxruntime reads it from a temporary file. */
  /** notes: where execution-provider choices and fallbacks are written (the worker reports them as info.notes). */
  static async create(source: string | { bytes: Uint8Array; name: string }, providers: readonly string[] | undefined, kinematics?: Kinematics, notes?: string[]): Promise<LocalizerVision> {
    const logger = notes ? { info: (m: string) => void notes.push(m), warn: (m: string) => void notes.push(m) } : undefined;
    if (typeof source === 'string') {
      return new LocalizerVision(await ObjectLocalizer.create({ modelPath: source, providers, logger }), source, false, kinematics);
    }
    const dir = mkdtempSync(join(tmpdir(), 'armstack-vision-'));
    try {
      const path = join(dir, 'stand-in-localizer.onnx');
      writeFileSync(path, source.bytes);
      return new LocalizerVision(await ObjectLocalizer.create({ modelPath: path, providers, logger }), source.name, true, kinematics);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  readonly #selfFilter: ArmSelfFilter | undefined;
  /** Target detections set aside because the arm may have covered them. */
  occluded = 0;

  private constructor(localizer: ObjectLocalizer, source: string, standIn: boolean, kinematics?: Kinematics) {
    this.#localizer = localizer;
    this.#selfFilter = kinematics ? new ArmSelfFilter(kinematics, localizer.camera) : undefined;
    this.source = source;
    this.standIn = standIn;
  }

  get executionProvider(): string {
    return this.#localizer.provider;
  }

  get classes(): readonly string[] {
    return this.#localizer.classes;
  }

  get inputWidth(): number {
    return this.#localizer.inputWidth;
  }

  get inputHeight(): number {
    return this.#localizer.inputHeight;
  }

  get input(): Float32Array {
    return this.#localizer.input;
  }

  async run(targetClass: number, task: TaskObservation, armQ?: ArrayLike<number>): Promise<boolean> {
    const found = await this.#localizer.run();
    for (let i = 0; i < found.length; i++) {
      const d = found[i];
      if (d.classIndex !== targetClass) continue;
      if (armQ && this.#selfFilter?.hidesDetection(armQ, d)) {
        this.occluded++;
        return false;
      }
      task.objectXM = d.xM;
      task.objectYM = d.yM;
      task.objectYawRad = d.yawRad;
      task.valid = true;
      return true;
    }
    return false;
  }

  release(): Promise<void> {
    return this.#localizer.release();
  }
}
