// What the inference worker runs per frame, and what the two threads agree on. The worker builds a
// WorkerPipeline from a PipelineConfig (structured-cloned into it), reports PipelineInfo (sizes, models, execution
// provider) and then runs it per request on views of the shared buffer. Types only here: nothing in this file
// loads onnxruntime, so the main thread can import it freely.
import type { PreprocessSpec, ResolvedPreprocessSpec } from '../preprocess/preprocess-spec.js';

export interface PipelineConfig {
  /** The camera whose frames are submitted: sizes the frame slots and the preprocessing. */
  camera: { name: string; width: number; height: number };
  /** Vision model (.onnx). Missing file: a stand-in when standIn allows, else an error. */
  visionModelPath?: string;
  /** Policy (.onnx, policies/contract.ts). */
  policyModelPath?: string;
  /** The arm's URDF (joint names for the policy contract, FK for the features); default the package's arm6. */
  urdfPath?: string;
  /** 'if-missing' (default): stand-in models replace missing files; 'always': stand-ins only; 'never': error. */
  standIn?: 'if-missing' | 'always' | 'never';
  /** Checked against the factor the vision model's input size implies (camera size / model input size). */
  preprocess?: Pick<PreprocessSpec, 'factor'>;
  /** onnxruntime execution providers in order of preference; default ['cpu']. */
  executionProviders?: string[];
  /** onnxruntime intra-op threads per session; default 1 (the main thread keeps its core). */
  intraOpNumThreads?: number;
}

export interface ModelInfo {
  /** File path, or 'stand-in'. */
  source: string;
  standIn: boolean;
}

export interface PipelineInfo {
  executionProvider: string;
  preprocess: 'ts';
  preprocessSpec: ResolvedPreprocessSpec;
  /** classes: what the localizer detects, in order (AUX.TARGET_CLASS indexes it). */
  vision: ModelInfo & { classes: string[] };
  policy: ModelInfo & { chunkSize: number; actionDim: number; nActionSteps: number; fps: number; envFeatureNames: string[] };
  stateLength: number;
  auxLength: number;
  actionLength: number;
  /** Names of the diagnostic floats in each result's `features`. */
  featureNames: string[];
  /** What the worker had to decide (stand-ins and why), for logs. */
  notes: string[];
}

/** Per-request inputs besides the frame and the measured state (Float64 slots in the shared buffer). */
export const AUX = {
  /** The gripper joint's measured effort, N (EnvFeatureBuilder#gripperEffortOf). */
  GRIPPER_EFFORT_N: 0,
  /** Centre of the target bin in the base frame, m (the task goal). */
  BIN_X_M: 1,
  BIN_Y_M: 2,
  /** Index of the target object class (the goal's colour), for a localizer that sees several. */
  TARGET_CLASS: 3,
} as const;
export const AUX_LENGTH = 4;

/**
 * Leading diagnostic floats of every result; the policy's environment features follow them. object_* is the
 * target's last seen place (base frame); object_seen is 1 when the localizer found it in this very frame.
 */
export const FEATURE_HEAD = ['object_x', 'object_y', 'object_yaw', 'object_seen'] as const;

export interface PipelineRequest {
  pixels: Uint8Array;
  bgr: boolean;
  /** Measured command-joint positions at capture. */
  state: Float64Array;
  aux: Float64Array;
}

export interface PipelineOutput {
  /** chunkSize · actionDim absolute joint targets, command order. */
  actions: Float32Array;
  features: Float32Array;
  /** Indexed by T in shared-channel.ts: preprocess, vision, policy (ms). */
  timings: Float64Array;
}

export interface WorkerPipeline {
  readonly info: PipelineInfo;
  run(request: PipelineRequest, out: PipelineOutput): Promise<void>;
  release(): Promise<void>;
}
