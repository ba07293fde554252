// The OpenCV preprocess path, same contract as TsPreprocessor: cv.resize with INTER_AREA (a box mean for an
// integer factor), then blobFromImage for the scale, the BGR→RGB swap and the NCHW layout. blobFromImage is given
// the already-reduced size, because its own resize is bilinear, not the area mean the contract names.
// Every call allocates native Mats; TsPreprocessor is the zero-allocation path.
import { loadOpenCv, type OpenCv } from '../cameras/opencv-loader.js';
import {
  checkPreprocessArgs, resolvePreprocessSpec, type FrameLike, type PreprocessSpec, type Preprocessor,
  type ResolvedPreprocessSpec,
} from './preprocess-spec.js';

export class OpenCvPreprocessor implements Preprocessor {
  readonly path = 'opencv' as const;
  readonly spec: Readonly<ResolvedPreprocessSpec>;
  readonly #cv: OpenCv;
  readonly #size: InstanceType<OpenCv['Size']>;
  readonly #mean: InstanceType<OpenCv['Vec3']>;

  /** Loads OpenCV now (throws a UserError saying how to install it when it cannot). */
  constructor(spec: Partial<PreprocessSpec> = {}) {
    this.spec = Object.freeze(resolvePreprocessSpec(spec, 'OpenCvPreprocessor'));
    this.#cv = loadOpenCv('OpenCvPreprocessor');
    this.#size = new this.#cv.Size(this.spec.outputWidth, this.spec.outputHeight);
    this.#mean = new this.#cv.Vec3(0, 0, 0);
  }

  run(frame: FrameLike, out: Float32Array): void {
    const cv = this.#cv;
    const { inputWidth, inputHeight, outputWidth, outputHeight, outputLength } = this.spec;
    checkPreprocessArgs('OpenCvPreprocessor#run', this.spec, frame, out);
    const bytes = inputWidth * inputHeight * 3;
    const src = Buffer.from(frame.data.buffer, frame.data.byteOffset, bytes);
    const mat = new cv.Mat(src, inputHeight, inputWidth, cv.CV_8UC3);
    const small = mat.resize(outputHeight, outputWidth, 0, 0, cv.INTER_AREA);
    const blob = cv.blobFromImage(small, 1 / 255, this.#size, this.#mean, frame.encoding === 'bgr8', false);
    // getData() on the 4-D blob throws; a 2-D float view of it reads fine. `blob` must stay alive until the copy
    // is done (the flattened view shares its memory), hence the explicit release after.
    const flat = blob.flattenFloat(3 * outputHeight, outputWidth).getData();
    if (flat.byteLength < outputLength * 4) {
      throw new Error(`OpenCvPreprocessor#run: blob has ${flat.byteLength} bytes, expected ${outputLength * 4}`);
    }
    // Byte copy: the Buffer's offset need not be 4-aligned, so it cannot be viewed as a Float32Array directly.
    flat.copy(Buffer.from(out.buffer, out.byteOffset, outputLength * 4), 0, 0, outputLength * 4);
    blob.release();
    small.release();
    mat.release();
  }
}
