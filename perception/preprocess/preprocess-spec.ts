// The preprocessing contract both paths implement (perception/models/README.md states it for the shipped vision
// model): a frame of inputWidth×inputHeight pixels becomes NCHW float32 [1, 3, H, W] in RGB order, each output
// pixel the mean of a factor×factor block (OpenCV's INTER_AREA for an integer factor), divided by 255.
import type { PixelEncoding } from '../cameras/camera.js';

export interface PreprocessSpec {
  /** Source frame size in pixels. */
  inputWidth: number;
  inputHeight: number;
  /** Integer downscale factor: output = input / factor, each output pixel a factor×factor box mean. */
  factor: number;
}

export interface ResolvedPreprocessSpec extends PreprocessSpec {
  outputWidth: number;
  outputHeight: number;
  /** 3 · outputHeight · outputWidth: the Float32Array length run() fills. */
  outputLength: number;
}

/** 640×480 camera frames to 160×120 model input. */
export const DEFAULT_PREPROCESS_SPEC: Readonly<PreprocessSpec> = Object.freeze({ inputWidth: 640, inputHeight: 480, factor: 4 });

/** The frame fields preprocessing reads (a perception Frame fits). */
export interface FrameLike {
  width: number;
  height: number;
  encoding: PixelEncoding;
  data: Uint8Array;
}

export type PreprocessPath = 'ts' | 'opencv';

export interface Preprocessor {
  readonly path: PreprocessPath;
  readonly spec: Readonly<ResolvedPreprocessSpec>;
  /** Writes the normalized CHW tensor for `frame` into `out` (length ≥ spec.outputLength). Throws on a mismatch. */
  run(frame: FrameLike, out: Float32Array): void;
}

/** Fills in the output size; throws a RangeError naming `who` and the field when the spec is unusable. */
export function resolvePreprocessSpec(spec: Partial<PreprocessSpec> = {}, who = 'PreprocessSpec'): ResolvedPreprocessSpec {
  const s = { ...DEFAULT_PREPROCESS_SPEC, ...spec };
  for (const key of ['inputWidth', 'inputHeight', 'factor'] as const) {
    const v = s[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${who}: ${key} must be a positive integer, got ${v}`);
  }
  if (s.inputWidth % s.factor !== 0 || s.inputHeight % s.factor !== 0) {
    throw new RangeError(`${who}: factor ${s.factor} must divide the input size ${s.inputWidth}×${s.inputHeight}`);
  }
  const outputWidth = s.inputWidth / s.factor;
  const outputHeight = s.inputHeight / s.factor;
  return { ...s, outputWidth, outputHeight, outputLength: 3 * outputWidth * outputHeight };
}

/** Throws naming `who` when the frame or the output buffer does not fit the spec. Allocates only to throw. */
export function checkPreprocessArgs(who: string, spec: ResolvedPreprocessSpec, frame: FrameLike, out: Float32Array): void {
  if (frame.width !== spec.inputWidth || frame.height !== spec.inputHeight) {
    throw new RangeError(`${who}: frame is ${frame.width}×${frame.height}, the spec expects ${spec.inputWidth}×${spec.inputHeight}`);
  }
  if (frame.encoding !== 'rgb8' && frame.encoding !== 'bgr8') {
    throw new RangeError(`${who}: encoding must be rgb8 or bgr8, got ${String(frame.encoding)}`);
  }
  const bytes = spec.inputWidth * spec.inputHeight * 3;
  if (frame.data.length < bytes) throw new RangeError(`${who}: frame data has ${frame.data.length} bytes, expected ${bytes}`);
  if (out.length < spec.outputLength) throw new RangeError(`${who}: output has ${out.length} floats, expected ${spec.outputLength}`);
}
