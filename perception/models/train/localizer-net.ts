// The localizer network: trained in tfjs on per-cell input patches (cell-features.ts), exported as a fully
// convolutional ONNX graph over the whole image. Per cell:
//   each of the 6×6 fine pixels: RGB → 8 features, ReLU (a 1×1 conv: colour becomes "which box, which face")
//   [fine features (288), context (75)] → dense 40, ReLU → dense 32, ReLU → { heat logits (C), regression (5) }
// and per input pixel, from the same per-pixel features of its 3×3 neighbourhood, the share of the pixel that
// shows a box's top face (`mask`), which the decoder takes the box yaw from (4th-order moments of the face).
// Only matrix products and reshapes, which tfjs trains fast on the CPU (see cell-features.ts).
import * as tf from '@tensorflow/tfjs';
import { OnnxModelBuilder, add, averagePool, conv, identity, relu, sigmoid } from '../../../runtime/onnx/index.js';
import {
  CTX_DILATION, CTX_FEATURES, CTX_K, CTX_PAD, FINE_K, FINE_PAD, FINE_PIXELS, INPUT_H, INPUT_W, MASK_K, MASK_PIXELS,
} from './cell-features.js';
import { REG_CHANNELS } from './cell-targets.js';
import type { CellBatch } from './cell-targets.js';

export const PIXEL_FEATURES = 8;
export const HIDDEN1 = 40;
export const HIDDEN2 = 32;
/** Regression loss weight per channel: dx, dy, cos 4θ, sin 4θ, size. */
const REG_WEIGHTS = [2, 2, 1, 1, 0.5];

export interface LocalizerWeights {
  classes: number;
  w0: Float32Array; b0: Float32Array;
  w1f: Float32Array; w1c: Float32Array; b1: Float32Array;
  w2: Float32Array; b2: Float32Array;
  wh: Float32Array; bh: Float32Array;
  wr: Float32Array; br: Float32Array;
  wm: Float32Array; bm: Float32Array;
}

export const WEIGHT_NAMES = ['w0', 'b0', 'w1f', 'w1c', 'b1', 'w2', 'b2', 'wh', 'bh', 'wr', 'br', 'wm', 'bm'] as const;

export interface LossParts {
  heat: number;
  reg: number;
  mask: number;
}

/** The inputs of n cells, as CellBatch holds them. */
export interface CellInputs {
  fineRgb: Float32Array;
  fineMask: Float32Array;
  context: Float32Array;
}

export class LocalizerNet {
  readonly classes: number;
  readonly #vars: tf.Variable[];
  readonly #regWeights: tf.Tensor;

  constructor(classes: number, seed: number) {
    this.classes = classes;
    const he = (rows: number, cols: number, s: number, gain = 1) =>
      tf.variable(tf.mul(tf.randomNormal([rows, cols], 0, Math.sqrt(2 / rows), 'float32', seed + s), gain));
    const fineIn = FINE_PIXELS * PIXEL_FEATURES;
    this.#vars = [
      he(3, PIXEL_FEATURES, 1), tf.variable(tf.fill([PIXEL_FEATURES], 0.05)),
      he(fineIn, HIDDEN1, 2, Math.sqrt(fineIn / (fineIn + CTX_FEATURES))),
      he(CTX_FEATURES, HIDDEN1, 3, Math.sqrt(CTX_FEATURES / (fineIn + CTX_FEATURES))), tf.variable(tf.zeros([HIDDEN1])),
      he(HIDDEN1, HIDDEN2, 4), tf.variable(tf.zeros([HIDDEN2])),
      he(HIDDEN2, classes, 5, 0.1), tf.variable(tf.fill([classes], -4)),
      he(HIDDEN2, REG_CHANNELS, 6, 0.1), tf.variable(tf.zeros([REG_CHANNELS])),
      he(MASK_PIXELS * PIXEL_FEATURES, 1, 7, 0.5), tf.variable(tf.fill([1], -2)),
    ];
    this.#regWeights = tf.tensor1d(REG_WEIGHTS);
  }

  /** Per-pixel features of n patches of `pixels` pixels each (RGB pixel-major), zero outside the image. */
  #pixelFeatures(n: number, pixels: number, rgbData: Float32Array, validData: Float32Array): tf.Tensor2D {
    const [w0, b0] = this.#vars as tf.Tensor2D[];
    const rgb = tf.tensor2d(rgbData.subarray(0, n * 3 * pixels), [n * pixels, 3]);
    const valid = tf.tensor3d(validData.subarray(0, n * pixels), [n, pixels, 1]);
    // Pixels outside the image are zero padding in the ONNX conv: zero their features here too.
    const f = tf.mul(tf.reshape(tf.relu(tf.add(tf.matMul(rgb, w0), b0)), [n, pixels, PIXEL_FEATURES]), valid);
    return tf.reshape(f, [n, pixels * PIXEL_FEATURES]);
  }

  /** Mask logits [n, 1] for n pixels' 3×3 neighbourhoods. */
  forwardMask(n: number, rgb: Float32Array, valid: Float32Array): tf.Tensor2D {
    const [wm, bm] = this.#vars.slice(11) as tf.Tensor2D[];
    return tf.add(tf.matMul(this.#pixelFeatures(n, MASK_PIXELS, rgb, valid), wm), bm) as tf.Tensor2D;
  }

  /** Heat logits [n, C] and regression [n, 5] for n cells. */
  forward(n: number, inputs: CellInputs): { heatLogits: tf.Tensor2D; reg: tf.Tensor2D } {
    const [, , w1f, w1c, b1, w2, b2, wh, bh, wr, br] = this.#vars as tf.Tensor2D[];
    const ctx = tf.tensor2d(inputs.context.subarray(0, n * CTX_FEATURES), [n, CTX_FEATURES]);
    const fine = tf.matMul(this.#pixelFeatures(n, FINE_PIXELS, inputs.fineRgb, inputs.fineMask), w1f);
    const h1 = tf.relu(tf.add(tf.add(fine, tf.matMul(ctx, w1c)), b1)) as tf.Tensor2D;
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2)) as tf.Tensor2D;
    return {
      heatLogits: tf.add(tf.matMul(h2, wh), bh) as tf.Tensor2D,
      reg: tf.add(tf.matMul(h2, wr), br) as tf.Tensor2D,
    };
  }

  /** One optimizer step on the batch's cells; returns the loss parts. */
  trainStep(batch: CellBatch, optimizer: tf.Optimizer): LossParts {
    const n = batch.count, C = this.classes;
    return tf.tidy(() => {
      const t = tf.tensor2d(batch.heat.subarray(0, n * C), [n, C]);
      const tw = tf.tensor2d(batch.heatWeight.subarray(0, n * C), [n, C]);
      const r = tf.tensor2d(batch.reg.subarray(0, n * REG_CHANNELS), [n, REG_CHANNELS]);
      const rw = tf.tensor2d(batch.regWeight.subarray(0, n), [n, 1]);
      const np = batch.pixelCount;
      const mt = tf.tensor2d(batch.pixelTarget.subarray(0, np), [np, 1]);
      let heatLoss = 0, regLoss = 0, maskLoss = 0;
      const bce = (z: tf.Tensor, target: tf.Tensor) => tf.add(tf.sub(tf.relu(z), tf.mul(z, target)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      optimizer.minimize(() => {
        const { heatLogits: z, reg } = this.forward(n, batch);
        // Sigmoid cross-entropy on soft targets, in the overflow-safe form.
        const hl = tf.div(tf.sum(tf.mul(bce(z, t), tw)), n);
        const diff = tf.abs(tf.sub(reg, r));
        // Huber (δ = 1) without tf.where, whose condition has no gradient in tfjs: ½·min(d,1)² + (d − min(d,1)).
        const clipped = tf.minimum(diff, 1);
        const huber = tf.add(tf.mul(0.5, tf.square(clipped)), tf.sub(diff, clipped));
        const rl = tf.div(tf.sum(tf.mul(tf.mul(huber, this.#regWeights), rw)), tf.maximum(tf.sum(rw), 1));
        const ml = np > 0 ? tf.mul(tf.mean(bce(this.forwardMask(np, batch.pixelRgb, batch.pixelValid), mt)), 2) : tf.scalar(0);
        heatLoss = hl.dataSync()[0];
        regLoss = rl.dataSync()[0];
        maskLoss = ml.dataSync()[0];
        return tf.add(tf.add(hl, rl), ml) as tf.Scalar;
      }, false, this.#vars);
      return { heat: heatLoss, reg: regLoss, mask: maskLoss };
    });
  }

  /** Sigmoid heat [n, C] and regression [n, 5] for n cells (for checks against the ONNX export). */
  predict(n: number, inputs: CellInputs): { heat: Float32Array; reg: Float32Array } {
    return tf.tidy(() => {
      const { heatLogits, reg } = this.forward(n, inputs);
      return { heat: tf.sigmoid(heatLogits).dataSync() as Float32Array, reg: reg.dataSync() as Float32Array };
    });
  }

  weights(): LocalizerWeights {
    const arrays = this.#vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const w = { classes: this.classes } as LocalizerWeights;
    WEIGHT_NAMES.forEach((name, i) => { w[name] = arrays[i]; });
    return w;
  }

  /** Loads weights; any missing (a checkpoint from before a head existed) keep their initial values. */
  setWeights(w: Partial<LocalizerWeights>): void {
    this.#vars.forEach((v, i) => {
      const a = w[WEIGHT_NAMES[i]];
      if (a) v.assign(tf.tensor(a, v.shape));
    });
  }

  /** Sigmoid mask for n pixels (for checks against the ONNX export). */
  predictMask(n: number, rgb: Float32Array, valid: Float32Array): Float32Array {
    return tf.tidy(() => tf.sigmoid(this.forwardMask(n, rgb, valid)).dataSync() as Float32Array);
  }
}

/** Rows [from, to) of a row-major [rows, cols] matrix, transposed to [cols, to − from]. */
function transposeRows(w: Float32Array, cols: number, from: number, to: number): Float32Array {
  const n = to - from, out = new Float32Array(cols * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < cols; c++) out[c * n + r] = w[(from + r) * cols + c];
  return out;
}

/** The ONNX graph for the trained weights: input `image` [1,3,120,160], outputs `heatmap`, `regression`. */
export function buildLocalizerOnnx(w: LocalizerWeights, metadata: Record<string, string | number>): OnnxModelBuilder {
  const b = new OnnxModelBuilder({ producerName: 'armstack', graphName: 'object_localizer', docString: 'armstack overhead box localizer' });
  const K = PIXEL_FEATURES;
  const image = b.input('image', [1, 3, INPUT_H, INPUT_W]);
  const pixW = b.initializer('pixel.weight', transposeRows(w.w0, K, 0, 3), [K, 3, 1, 1]);
  const pix = relu(b, conv(b, image, pixW, b.initializer('pixel.bias', w.b0, [K])));
  // tfjs fine features are ordered (row, column, channel); ONNX weights are [out, channel, row, column].
  const fw = new Float32Array(HIDDEN1 * K * FINE_PIXELS);
  for (let o = 0; o < HIDDEN1; o++) {
    for (let k = 0; k < K; k++) {
      for (let p = 0; p < FINE_PIXELS; p++) fw[(o * K + k) * FINE_PIXELS + p] = w.w1f[(p * K + k) * HIDDEN1 + o];
    }
  }
  const fineW = b.initializer('fine.weight', fw, [HIDDEN1, K, FINE_K, FINE_K]);
  const fine = conv(b, pix, fineW, b.initializer('fine.bias', w.b1, [HIDDEN1]), { pads: [FINE_PAD, FINE_PAD, FINE_PAD, FINE_PAD], strides: [2, 2] });
  const pooled = averagePool(b, image, { kernelShape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] });
  const ctxW = b.initializer('context.weight', transposeRows(w.w1c, HIDDEN1, 0, CTX_FEATURES), [HIDDEN1, 3, CTX_K, CTX_K]);
  const ctx = conv(b, pooled, ctxW, undefined, {
    pads: [CTX_PAD, CTX_PAD, CTX_PAD, CTX_PAD], strides: [2, 2], dilations: [CTX_DILATION, CTX_DILATION],
  });
  const h1 = relu(b, add(b, fine, ctx));
  const pointwise = (x: string, weights: Float32Array, bias: Float32Array, inF: number, outF: number, name: string) =>
    conv(b, x, b.initializer(`${name}.weight`, transposeRows(weights, outF, 0, inF), [outF, inF, 1, 1]), b.initializer(`${name}.bias`, bias, [outF]));
  const h2 = relu(b, pointwise(h1, w.w2, w.b2, HIDDEN1, HIDDEN2, 'hidden'));
  identity(b, sigmoid(b, pointwise(h2, w.wh, w.bh, HIDDEN2, w.classes, 'heat')), 'heatmap');
  identity(b, pointwise(h2, w.wr, w.br, HIDDEN2, REG_CHANNELS, 'regress'), 'regression');
  const mw = new Float32Array(K * MASK_PIXELS);
  for (let k = 0; k < K; k++) for (let p = 0; p < MASK_PIXELS; p++) mw[k * MASK_PIXELS + p] = w.wm[p * K + k];
  const maskLogits = conv(b, pix, b.initializer('mask.weight', mw, [1, K, MASK_K, MASK_K]), b.initializer('mask.bias', w.bm, [1]), { pads: [1, 1, 1, 1] });
  identity(b, sigmoid(b, maskLogits), 'mask');
  b.output('heatmap', [1, w.classes, INPUT_H / 2, INPUT_W / 2]);
  b.output('regression', [1, REG_CHANNELS, INPUT_H / 2, INPUT_W / 2]);
  b.output('mask', [1, 1, INPUT_H, INPUT_W]);
  for (const [k, v] of Object.entries(metadata)) b.metadata(k, v);
  return b;
}
