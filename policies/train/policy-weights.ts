// A trained policy as plain data: the MLP's dense layers, the statistics and the names. The ONNX exporter
// writes it as a graph; the JS forward pass here is the reference the export is checked against and lets
// training scripts try a policy in the sim without an ONNX runtime.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FeatureStats, Normalization } from '../contract.js';

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** [inputs, outputs], row-major (tfjs' layout). */
  kernel: number[];
  bias: number[];
  relu: boolean;
}

export interface PolicyWeights {
  fps: number;
  chunk: number;
  nActionSteps: number;
  actionNames: string[];
  envFeatureNames: string[];
  normalization: Normalization;
  /**
   * The network's outputs, normalized with these per (chunk step, joint) statistics: offsets from the measured
   * state for the joints marked relative, absolute targets for the others (the gripper).
   */
  offset: FeatureStats;
  /** Per joint: does the network predict an offset from the state (true) or the target itself? Default all true. */
  relative?: boolean[];
  layers: DenseLayer[];
  /** Provenance for the model's metadata: data, training settings, losses. */
  info: Record<string, unknown>;
}

export function savePolicyWeights(path: string, w: PolicyWeights): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(w));
}

export function loadPolicyWeights(path: string): PolicyWeights {
  return JSON.parse(readFileSync(path, 'utf8')) as PolicyWeights;
}

/**
 * Reference forward pass in float64: normalized state and env in, normalized absolute actions out
 * (chunk × nAction), exactly what the exported graph computes.
 */
export function forwardNormalized(w: PolicyWeights, stateNorm: ArrayLike<number>, envNorm: ArrayLike<number>, out: Float64Array): Float64Array {
  const nState = w.normalization.state.mean.length;
  let h = new Float64Array(nState + envNorm.length);
  for (let i = 0; i < nState; i++) h[i] = stateNorm[i];
  for (let i = 0; i < envNorm.length; i++) h[nState + i] = envNorm[i];
  for (const L of w.layers) {
    const y = new Float64Array(L.outputs);
    for (let o = 0; o < L.outputs; o++) y[o] = L.bias[o];
    for (let i = 0; i < L.inputs; i++) {
      const x = h[i];
      if (x === 0) continue;
      const row = i * L.outputs;
      for (let o = 0; o < L.outputs; o++) y[o] += x * L.kernel[row + o];
    }
    if (L.relu) for (let o = 0; o < L.outputs; o++) if (y[o] < 0) y[o] = 0;
    h = y;
  }
  // offset (normalized) → absolute action → normalized action.
  const s = w.normalization.state, a = w.normalization.action, n = nState;
  for (let c = 0; c < w.chunk; c++) {
    for (let j = 0; j < n; j++) {
      const k = c * n + j;
      const stateRaw = w.relative?.[j] === false ? 0 : stateNorm[j] * s.std[j] + s.mean[j];
      const abs = stateRaw + h[k] * w.offset.std[k] + w.offset.mean[k];
      out[k] = (abs - a.mean[j]) / a.std[j];
    }
  }
  return out;
}
