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
  readonly #words = new Map<Uint8Array, Uint32Array>();

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
    const { factor, inputWidth, outputHeight } = this.spec;
    const sums = this.#rowSums;
    const rowBytes = inputWidth * 3;
    const words = factor === 4 ? this.#wordsOf(data) : undefined;
    for (let oy = 0; oy < outputHeight; oy++) {
      const rowStart = oy * factor * rowBytes;
      // Factor 4 (the shipped contract) on a word-aligned frame: 32-bit loads summed two bytes at a time.
      if (words) sumRows4Words(words, rowStart >>> 2, rowBytes >>> 2, sums);
      else sumRows(data, rowStart, rowBytes, factor, sums);
      this.#writeRow(oy, bgr, out);
    }
  }

  /** A Uint32Array over data when it is word aligned (rows too) on a little-endian machine; cached per buffer. */
  #wordsOf(data: Uint8Array): Uint32Array | undefined {
    if (!LITTLE_ENDIAN || data.byteOffset % 4 !== 0 || (this.spec.inputWidth * 3) % 4 !== 0 || data.length % 4 !== 0) return undefined;
    let words = this.#words.get(data);
    if (!words) {
      // Frames come from a few reused buffers (a camera's ring, the worker's slots): a handful of views in all.
      if (this.#words.size >= 8) this.#words.clear();
      words = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
      this.#words.set(data, words);
    }
    return words;
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
  sums.fill(0);
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
      sums[s] += c0;
      sums[s + 1] += c1;
      sums[s + 2] += c2;
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Factor-4 box sums on 32-bit words, two bytes per add (16-bit lanes; 4 rows of 255 fit). A 4-pixel block is 3 words,
 * bytes [r0 g0 b0 r1] [g1 b1 r2 g2] [b2 r3 g3 b3]; even and odd bytes are masked into lanes and summed over the 4
 * rows, then each channel is the sum of its four lanes.
 */
function sumRows4Words(words: Uint32Array, rowStartWord: number, rowWords: number, sums: Uint32Array): void {
  const M = 0x00ff00ff;
  for (let s = 0, w = rowStartWord; s < sums.length; s += 3, w += 3) {
    let e0 = 0, o0 = 0, e1 = 0, o1 = 0, e2 = 0, o2 = 0;
    for (let dy = 0, k = w; dy < 4; dy++, k += rowWords) {
      const a = words[k], b = words[k + 1], c = words[k + 2];
      e0 += a & M; o0 += (a >>> 8) & M;
      e1 += b & M; o1 += (b >>> 8) & M;
      e2 += c & M; o2 += (c >>> 8) & M;
    }
    sums[s] = (e0 & 0xffff) + (o0 >>> 16) + (e1 >>> 16) + (o2 & 0xffff);
    sums[s + 1] = (o0 & 0xffff) + (e1 & 0xffff) + (o1 >>> 16) + (e2 >>> 16);
    sums[s + 2] = (e0 >>> 16) + (o1 & 0xffff) + (e2 & 0xffff) + (o2 >>> 16);
  }
}

