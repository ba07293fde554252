// The pure-TypeScript preprocess path: box-average downscale, channel split (BGR or RGB in, RGB planes out) and
// scaling in one pass over the frame's bytes, into a caller-owned buffer. It allocates nothing per frame, which
// gives it a steadier p99 than the OpenCV path (every OpenCV call allocates Mats), and it needs no native module,
// so the inference worker uses it.
import {
  checkPreprocessArgs, resolvePreprocessSpec, type FrameLike, type PreprocessSpec, type Preprocessor,
  type ResolvedPreprocessSpec,
} from './preprocess-spec.js';

export class TsPreprocessor implements Preprocessor {
  readonly path = 'ts' as const;
  readonly spec: Readonly<ResolvedPreprocessSpec>;
  /** Per-output-row channel sums (interleaved r,g,b per output column), reused every row. */
  readonly #rowSums: Uint32Array;
  readonly #scale: number;

  constructor(spec: Partial<PreprocessSpec> = {}) {
    this.spec = Object.freeze(resolvePreprocessSpec(spec, 'TsPreprocessor'));
    this.#rowSums = new Uint32Array(this.spec.outputWidth * 3);
    this.#scale = 1 / (this.spec.factor * this.spec.factor * 255);
  }

  run(frame: FrameLike, out: Float32Array): void {
    checkPreprocessArgs('TsPreprocessor#run', this.spec, frame, out);
    this.runRaw(frame.data, frame.encoding === 'bgr8', out);
  }

  /** run() without the checks, for a caller (the inference worker) that validated the frame layout once. */
  runRaw(data: Uint8Array, bgr: boolean, out: Float32Array): void {
    const { factor, inputWidth, outputWidth, outputHeight } = this.spec;
    const sums = this.#rowSums;
    const rowBytes = inputWidth * 3;
    for (let oy = 0; oy < outputHeight; oy++) {
      const rowStart = oy * factor * rowBytes;
      // Factor 4 (the shipped contract) unrolled: about 30% faster than the general loop.
      if (factor === 4) sumRows4(data, rowStart, rowBytes, sums);
      else sumRows(data, rowStart, rowBytes, factor, sums);
      this.#writeRow(oy, bgr, out);
    }
  }

  #writeRow(oy: number, bgr: boolean, out: Float32Array): void {
    const { outputWidth, outputHeight } = this.spec;
    const sums = this.#rowSums;
    const scale = this.#scale;
    const plane = outputWidth * outputHeight;
    // Where red and blue sit in each pixel's 3 bytes.
    const rIn = bgr ? 2 : 0;
    const bIn = bgr ? 0 : 2;
    let o = oy * outputWidth;
    for (let s = 0; s < sums.length; s += 3, o++) {
      out[o] = sums[s + rIn] * scale;
      out[o + plane] = sums[s + 1] * scale;
      out[o + 2 * plane] = sums[s + bIn] * scale;
    }
  }
}

/** Channel sums of each factor×factor block of `factor` rows from rowStart, into sums (3 per output column). */
function sumRows(data: Uint8Array, rowStart: number, rowBytes: number, factor: number, sums: Uint32Array): void {
  const blockBytes = factor * 3;
  for (let dy = 0; dy < factor; dy++, rowStart += rowBytes) {
    let i = rowStart;
    for (let s = 0; s < sums.length; s += 3) {
      let c0 = 0, c1 = 0, c2 = 0;
      const end = i + blockBytes;
      for (; i < end; i += 3) {
        c0 += data[i];
        c1 += data[i + 1];
        c2 += data[i + 2];
      }
      if (dy === 0) {
        sums[s] = c0;
        sums[s + 1] = c1;
        sums[s + 2] = c2;
      } else {
        sums[s] += c0;
        sums[s + 1] += c1;
        sums[s + 2] += c2;
      }
    }
  }
}

function sumRows4(data: Uint8Array, rowStart: number, rowBytes: number, sums: Uint32Array): void {
  for (let dy = 0; dy < 4; dy++, rowStart += rowBytes) {
    let i = rowStart;
    for (let s = 0; s < sums.length; s += 3, i += 12) {
      const c0 = data[i] + data[i + 3] + data[i + 6] + data[i + 9];
      const c1 = data[i + 1] + data[i + 4] + data[i + 7] + data[i + 10];
      const c2 = data[i + 2] + data[i + 5] + data[i + 8] + data[i + 11];
      if (dy === 0) {
        sums[s] = c0;
        sums[s + 1] = c1;
        sums[s + 2] = c2;
      } else {
        sums[s] += c0;
        sums[s + 1] += c1;
        sums[s + 2] += c2;
      }
    }
  }
}
