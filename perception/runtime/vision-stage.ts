// The vision model inside the inference worker: the shipped ObjectLocalizer (perception/models), run on the
// preprocessed frame the worker writes straight into its input buffer. The target's detection, picked by the
// goal's class, fills the task observation. A box the localizer does not report this frame (in the gripper,
// occluded) keeps its last seen place: the policy needs "where it was", not a hole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskObservation } from '../../policies/features.js';
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
  /** Runs the model and updates task.object* and task.valid; true when the target was seen in this frame. */
  run(targetClass: number, task: TaskObservation): Promise<boolean>;
  release(): Promise<void>;
}

export class LocalizerVision implements VisionStage {
  readonly source: string;
  readonly standIn: boolean;
  readonly #localizer: ObjectLocalizer;

  /** `bytes` for a model held in memory (a stand-in): onnxruntime reads it from a temporary file. */
  static async create(source: string | { bytes: Uint8Array; name: string }, providers: readonly string[] | undefined): Promise<LocalizerVision> {
    if (typeof source === 'string') {
      return new LocalizerVision(await ObjectLocalizer.create({ modelPath: source, providers }), source, false);
    }
    const dir = mkdtempSync(join(tmpdir(), 'armstack-vision-'));
    try {
      const path = join(dir, 'stand-in-localizer.onnx');
      writeFileSync(path, source.bytes);
      return new LocalizerVision(await ObjectLocalizer.create({ modelPath: path, providers }), source.name, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private constructor(localizer: ObjectLocalizer, source: string, standIn: boolean) {
    this.#localizer = localizer;
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

  async run(targetClass: number, task: TaskObservation): Promise<boolean> {
    const found = await this.#localizer.run();
    for (let i = 0; i < found.length; i++) {
      const d = found[i];
      if (d.classIndex !== targetClass) continue;
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
