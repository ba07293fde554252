// Behaviour cloning with @tensorflow/tfjs: an MLP from [state, env features] (normalized) to the next `chunk`
// expert targets as normalized offsets from the measured state, trained with Adam on an L1 (ACT's choice) or MSE
// loss, cosine learning-rate decay. tfjs does the maths and the gradients; this file only feeds batches.
import * as tf from '@tensorflow/tfjs';
import { Random } from '../../sim/random.js';
import type { TrainingSet, TrainingSplit } from './training-set.js';

export interface TrainConfig {
  /** Hidden layer widths (ReLU). Default [256, 256, 256]. */
  hidden: number[];
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Final learning rate as a fraction of the first (cosine decay). Default 0.05. */
  finalLearningRateFraction: number;
  /** Linear warm-up steps. Default 100. */
  warmupSteps: number;
  loss: 'l1' | 'mse';
  seed: number;
  /** Validation loss every this many steps (and at the end). Default 500. */
  evalEvery: number;
}

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  hidden: [256, 256, 256],
  steps: 20_000,
  batchSize: 256,
  learningRate: 1e-3,
  finalLearningRateFraction: 0.05,
  warmupSteps: 100,
  loss: 'l1',
  seed: 1,
  evalEvery: 500,
});

export interface TrainProgress {
  step: number;
  steps: number;
  trainLoss: number;
  validationLoss?: number;
  learningRate: number;
  wallS: number;
}

export interface TrainResult {
  model: tf.Sequential;
  history: TrainProgress[];
  wallS: number;
}

let backendReady: Promise<void> | undefined;

/** tfjs' pure-JS CPU backend (the tfjs-node native backend is not a dependency). */
export function initTf(): Promise<void> {
  backendReady ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return backendReady;
}

export function buildMlp(inputs: number, hidden: readonly number[], outputs: number, seed: number): tf.Sequential {
  const model = tf.sequential();
  hidden.forEach((units, i) => {
    model.add(tf.layers.dense({
      units, activation: 'relu', inputShape: i === 0 ? [inputs] : undefined,
      kernelInitializer: tf.initializers.heNormal({ seed: seed + i }), biasInitializer: 'zeros',
    }));
  });
  // A small last layer starts the policy near "stay where you are" (offset ≈ mean offset).
  model.add(tf.layers.dense({
    units: outputs, inputShape: hidden.length === 0 ? [inputs] : undefined,
    kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1e-3, seed: seed + 99 }), biasInitializer: 'zeros',
  }));
  return model;
}

export async function trainBehaviourCloning(
  set: TrainingSet, config: Partial<TrainConfig> = {}, onProgress?: (p: TrainProgress, model: tf.Sequential) => void,
): Promise<TrainResult> {
  await initTf();
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...config };
  const nIn = set.nState + set.nEnv, nOut = set.chunk * set.nAction;
  if (set.train.rows === 0) throw new Error('trainBehaviourCloning: the training split is empty');
  const model = buildMlp(nIn, c.hidden, nOut, c.seed);
  const optimizer = tf.train.adam(c.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = new Random(c.seed);
  const draw = rowSampler(set.train, rng);
  const xb = new Float32Array(c.batchSize * nIn), yb = new Float32Array(c.batchSize * nOut);
  const lossFn = (pred: tf.Tensor, y: tf.Tensor): tf.Scalar =>
    c.loss === 'l1' ? tf.mean(tf.abs(tf.sub(pred, y))) : tf.mean(tf.square(tf.sub(pred, y)));
  const history: TrainProgress[] = [];
  const start = performance.now();
  let running = 0, runningN = 0;
  for (let step = 1; step <= c.steps; step++) {
    const lr = learningRateAt(step, c);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    for (let b = 0; b < c.batchSize; b++) {
      const r = draw();
      xb.set(set.train.x.subarray(r * nIn, (r + 1) * nIn), b * nIn);
      yb.set(set.train.y.subarray(r * nOut, (r + 1) * nOut), b * nOut);
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(xb, [c.batchSize, nIn]), y = tf.tensor2d(yb, [c.batchSize, nOut]);
      return optimizer.minimize(() => lossFn(model.apply(x) as tf.Tensor, y), true, vars) as tf.Scalar;
    });
    running += (await loss.data())[0];
    runningN++;
    loss.dispose();
    if (step % c.evalEvery === 0 || step === c.steps) {
      const p: TrainProgress = {
        step, steps: c.steps, trainLoss: running / runningN, learningRate: lr, wallS: (performance.now() - start) / 1000,
        validationLoss: set.validation.rows > 0 ? evaluateLoss(model, set.validation, nIn, nOut, c.loss) : undefined,
      };
      history.push(p);
      onProgress?.(p, model);
      running = runningN = 0;
    }
  }
  optimizer.dispose();
  return { model, history, wallS: (performance.now() - start) / 1000 };
}

/** Uniform row draws, or draws in proportion to the split's weights (binary search on the cumulative sum). */
function rowSampler(split: TrainingSplit, rng: Random): () => number {
  const w = split.weights;
  if (!w) return () => rng.int(split.rows);
  const cum = new Float64Array(split.rows);
  let total = 0;
  for (let i = 0; i < split.rows; i++) cum[i] = total += w[i];
  return () => {
    const u = rng.next() * total;
    let lo = 0, hi = split.rows - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

function learningRateAt(step: number, c: TrainConfig): number {
  if (step <= c.warmupSteps) return (c.learningRate * step) / c.warmupSteps;
  const t = (step - c.warmupSteps) / Math.max(1, c.steps - c.warmupSteps);
  const floor = c.finalLearningRateFraction;
  return c.learningRate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Mean loss over a split, in batches (no gradients). */
export function evaluateLoss(model: tf.Sequential, split: TrainingSplit, nIn: number, nOut: number, loss: 'l1' | 'mse', batch = 2048): number {
  let sum = 0;
  for (let r = 0; r < split.rows; r += batch) {
    const n = Math.min(batch, split.rows - r);
    sum += tf.tidy(() => {
      const x = tf.tensor2d(split.x.subarray(r * nIn, (r + n) * nIn), [n, nIn]);
      const y = tf.tensor2d(split.y.subarray(r * nOut, (r + n) * nOut), [n, nOut]);
      const d = tf.sub(model.predict(x) as tf.Tensor, y);
      return (loss === 'l1' ? tf.sum(tf.abs(d)) : tf.sum(tf.square(d))).dataSync()[0];
    });
  }
  return sum / (split.rows * nOut);
}

/** The model's raw output (normalized offsets) for normalized inputs, rows × nOut. */
export function predictOffsets(model: tf.Sequential, x: Float32Array, rows: number, nIn: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, nIn])) as tf.Tensor).dataSync() as Float32Array);
}

/** Dense layers' kernels ([in, out], row-major) and biases, first to last. */
export function denseWeights(model: tf.Sequential): { kernel: Float32Array; bias: Float32Array; inputs: number; outputs: number; relu: boolean }[] {
  return model.layers.map((layer) => {
    const [k, b] = layer.getWeights();
    const cfg = layer.getConfig() as { activation?: string };
    return {
      kernel: k.dataSync() as Float32Array, bias: b.dataSync() as Float32Array,
      inputs: k.shape[0] as number, outputs: k.shape[1] as number, relu: cfg.activation === 'relu',
    };
  });
}
