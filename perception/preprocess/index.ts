// perception/preprocess: frame → NCHW float32 model input, by two paths with one contract.
export { DEFAULT_PREPROCESS_SPEC, checkPreprocessArgs, resolvePreprocessSpec } from './preprocess-spec.js';
export type { FrameLike, PreprocessPath, PreprocessSpec, Preprocessor, ResolvedPreprocessSpec } from './preprocess-spec.js';
export { TsPreprocessor } from './ts-preprocessor.js';
// OpenCvPreprocessor loads OpenCV in its constructor only; importing it costs nothing.
export { OpenCvPreprocessor } from './opencv-preprocessor.js';
