// A tiny ONNX policy for tests, built with runtime/onnx: one Gemm from [state, env] to the action chunk. Every
// part of the contract can be overridden, so a test can break exactly one thing.
import { OnnxModelBuilder, concat, dense } from '../../runtime/onnx/index.js';
import type { Dim } from '../../runtime/onnx/index.js';
import type { Normalization } from '../contract.js';

export interface TinyPolicySpec {
  jointNames: string[];
  envFeatureNames: string[];
  chunk: number;
  /** [nState + nEnv, chunk·n] row-major, and [chunk·n]. */
  weights: Float32Array;
  bias: Float32Array;
  normalization: Normalization;
  /** Overrides, for contract refusals. */
  stateInput?: { name?: string; dims?: Dim[] };
  envInput?: { name?: string; dims?: Dim[] } | null;
  actionOutput?: { name?: string; dims?: Dim[] };
  /** Metadata overrides; null removes a key. */
  metadata?: Record<string, string | null>;
}

export function tinyPolicySpec(jointNames: string[], envFeatureNames = ['object_x', 'object_y'], chunk = 2): TinyPolicySpec {
  const n = jointNames.length, nIn = n + envFeatureNames.length, nOut = chunk * n;
  const weights = Float32Array.from({ length: nIn * nOut }, (_, i) => Math.sin(i * 0.37) * 0.5);
  const bias = Float32Array.from({ length: nOut }, (_, i) => Math.cos(i * 0.11) * 0.1);
  const stats = (len: number, m: number, s: number) => ({
    mean: Array.from({ length: len }, (_, i) => m + 0.01 * i), std: Array.from({ length: len }, (_, i) => s + 0.02 * i),
  });
  return {
    jointNames, envFeatureNames, chunk, weights, bias,
    normalization: { state: stats(n, 0.1, 0.5), env: stats(envFeatureNames.length, 0.4, 0.2), action: stats(n, -0.2, 0.8) },
  };
}

export function buildTinyPolicy(spec: TinyPolicySpec): Uint8Array {
  const n = spec.jointNames.length, nEnv = spec.envFeatureNames.length, nOut = spec.chunk * n;
  const b = new OnnxModelBuilder({ producerName: 'armstack-test' });
  const state = b.input(spec.stateInput?.name ?? 'observation.state', spec.stateInput?.dims ?? ['batch', n]);
  let x = state;
  if (spec.envInput !== null) {
    const env = b.input(spec.envInput?.name ?? 'observation.environment_state', spec.envInput?.dims ?? ['batch', nEnv]);
    x = concat(b, [state, env], 1);
  }
  const y = dense(b, x, spec.weights, spec.bias, spec.envInput === null ? n : n + nEnv, nOut, 'head');
  const out = spec.actionOutput?.name ?? 'action';
  b.node('Reshape', [y, b.initializerInt64('shape', [0, spec.chunk, n], [3])], [out]);
  b.output(out, spec.actionOutput?.dims ?? ['batch', spec.chunk, n]);
  const meta: Record<string, string | null> = {
    'armstack.policy_version': '1',
    fps: '30',
    chunk_size: String(spec.chunk),
    n_action_steps: '1',
    action_names: JSON.stringify(spec.jointNames),
    state_names: JSON.stringify(spec.jointNames),
    env_feature_names: JSON.stringify(spec.envFeatureNames),
    normalization: JSON.stringify(spec.normalization),
    ...spec.metadata,
  };
  for (const [k, v] of Object.entries(meta)) if (v !== null) b.metadata(k, v);
  return b.toBytes();
}

/** The tiny model by hand: raw state and env in, raw action chunk out (chunk × n). */
export function tinyPolicyReference(spec: TinyPolicySpec, state: ArrayLike<number>, env: ArrayLike<number>): Float64Array {
  const n = spec.jointNames.length, nEnv = spec.envFeatureNames.length, nIn = n + nEnv, nOut = spec.chunk * n;
  const { state: s, env: e, action: a } = spec.normalization;
  const x = new Float64Array(nIn);
  for (let i = 0; i < n; i++) x[i] = (Math.fround(state[i]) - s.mean[i]) / s.std[i];
  for (let i = 0; i < nEnv; i++) x[n + i] = (Math.fround(env[i]) - e!.mean[i]) / e!.std[i];
  const out = new Float64Array(nOut);
  for (let k = 0; k < nOut; k++) {
    let v = spec.bias[k];
    for (let i = 0; i < nIn; i++) v += x[i] * spec.weights[i * nOut + k];
    out[k] = v * a.std[k % n] + a.mean[k % n];
  }
  return out;
}
