// The trained MLP as an ONNX policy meeting the contract (contract.ts), written with runtime/onnx.
//
// The network predicts normalized offsets from the state (the gripper: its target itself); the contract's
// `action` is the absolute target, normalized with the action statistics. The map between them is affine, so it
// is folded into the weights:
//   a_norm[c,j] = (s_j + off[c,j] − μa_j) / σa_j,  s_j = s_norm_j·σs_j + μs_j,  off = net·σo + μo
// (s_j taken as 0 for a joint predicted absolutely)
// becomes a rescaled last layer plus a fixed state → action matrix (the "state + offset" skip connection):
//   action = Reshape(Gemm(h, W′, b′) + MatMul(state, S), [B, chunk, n])
import * as ort from 'onnxruntime-node';
import { OnnxModelBuilder, add, concat, dense, matMul, relu } from '../../runtime/onnx/index.js';
import type { ArmDescription } from '../../runtime/robot/index.js';
import { ACTION_OUTPUT, ENV_INPUT, POLICY_CONTRACT_VERSION, STATE_INPUT, parsePolicyContract } from '../contract.js';
import { forwardNormalized, type PolicyWeights } from './policy-weights.js';

export function exportPolicyOnnx(w: PolicyWeights): Uint8Array {
  const n = w.actionNames.length, nEnv = w.envFeatureNames.length, C = w.chunk, nOut = C * n;
  const last = w.layers[w.layers.length - 1];
  if (last.outputs !== nOut) throw new Error(`exportPolicyOnnx: the last layer has ${last.outputs} outputs, expected chunk ${C} × ${n} joints`);
  const { state: s, action: a } = w.normalization, o = w.offset;
  const b = new OnnxModelBuilder({ producerName: 'armstack-policies', docString: 'Behaviour-cloned pick-and-place MLP (policies/train)' });
  const stateIn = b.input(STATE_INPUT, ['batch', n]);
  let h = nEnv > 0 ? concat(b, [stateIn, b.input(ENV_INPUT, ['batch', nEnv])], 1) : stateIn;
  w.layers.slice(0, -1).forEach((L, i) => {
    h = dense(b, h, L.kernel, L.bias, L.inputs, L.outputs, `hidden${i}`);
    if (L.relu) h = relu(b, h);
  });
  const kernel = new Float64Array(last.inputs * nOut), bias = new Float64Array(nOut);
  const relative = (j: number): boolean => w.relative?.[j] !== false;
  for (let k = 0; k < nOut; k++) {
    const j = k % n, scale = o.std[k] / a.std[j];
    for (let i = 0; i < last.inputs; i++) kernel[i * nOut + k] = last.kernel[i * nOut + k] * scale;
    bias[k] = (last.bias[k] * o.std[k] + o.mean[k] + (relative(j) ? s.mean[j] : 0) - a.mean[j]) / a.std[j];
  }
  const net = dense(b, h, kernel, bias, last.inputs, nOut, 'head');
  const skip = new Float32Array(n * nOut);
  for (let k = 0; k < nOut; k++) if (relative(k % n)) skip[(k % n) * nOut + k] = s.std[k % n] / a.std[k % n];
  const sum = add(b, net, matMul(b, stateIn, b.initializer('state_to_action', skip, [n, nOut])));
  b.node('Reshape', [sum, b.initializerInt64('action_shape', [0, C, n], [3])], [ACTION_OUTPUT]);
  b.output(ACTION_OUTPUT, ['batch', C, n]);
  b.metadata('armstack.policy_version', POLICY_CONTRACT_VERSION)
    .metadata('fps', w.fps)
    .metadata('chunk_size', C)
    .metadata('n_action_steps', w.nActionSteps)
    .metadata('action_names', JSON.stringify(w.actionNames))
    .metadata('state_names', JSON.stringify(w.actionNames))
    .metadata('env_feature_names', JSON.stringify(w.envFeatureNames))
    .metadata('normalization', JSON.stringify(w.normalization))
    .metadata('armstack.policy_kind', 'bc_mlp_relative_chunk')
    .metadata('armstack.training', JSON.stringify(w.info));
  return b.toBytes();
}

export interface ExportCheck {
  samples: number;
  /** Largest |ONNX − reference| over the samples, in normalized action units. */
  maxAbsDiff: number;
}

/**
 * Runs the exported bytes in onnxruntime on normalized inputs (rows × (nState + nEnv)) and compares the output with
 * `reference` (rows × chunk × n, normalized actions), e.g. tfjs' prediction mapped through the same affine map.
 * Also parses the contract, so a metadata mistake fails here rather than at load time.
 */
export async function checkOnnxAgainst(bytes: Uint8Array, description: ArmDescription, w: PolicyWeights, inputs: Float32Array, rows: number, reference: Float64Array): Promise<ExportCheck> {
  parsePolicyContract(bytes, 'exported policy', description);
  const n = w.actionNames.length, nEnv = w.envFeatureNames.length, nIn = n + nEnv;
  const state = new Float32Array(rows * n), env = new Float32Array(rows * nEnv);
  for (let r = 0; r < rows; r++) {
    state.set(inputs.subarray(r * nIn, r * nIn + n), r * n);
    env.set(inputs.subarray(r * nIn + n, (r + 1) * nIn), r * nEnv);
  }
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = { [STATE_INPUT]: new ort.Tensor('float32', state, [rows, n]) };
    if (nEnv > 0) feeds[ENV_INPUT] = new ort.Tensor('float32', env, [rows, nEnv]);
    const out = (await session.run(feeds))[ACTION_OUTPUT].data as Float32Array;
    let max = 0;
    for (let i = 0; i < reference.length; i++) max = Math.max(max, Math.abs(out[i] - reference[i]));
    return { samples: rows, maxAbsDiff: max };
  } finally {
    await session.release();
  }
}

/** Normalized actions from the network's raw (normalized offset) outputs, through the affine map above, in float64. */
export function offsetsToNormalizedActions(w: PolicyWeights, inputs: Float32Array, offsets: Float32Array, rows: number): Float64Array {
  const n = w.actionNames.length, nIn = n + w.envFeatureNames.length, nOut = w.chunk * n;
  const { state: s, action: a } = w.normalization, o = w.offset;
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < nOut; k++) {
      const j = k % n;
      const stateRaw = w.relative?.[j] === false ? 0 : inputs[r * nIn + j] * s.std[j] + s.mean[j];
      out[r * nOut + k] = (stateRaw + offsets[r * nOut + k] * o.std[k] + o.mean[k] - a.mean[j]) / a.std[j];
    }
  }
  return out;
}

/** The float64 JS reference (policy-weights.ts) for the same rows. */
export function referenceNormalizedActions(w: PolicyWeights, inputs: Float32Array, rows: number): Float64Array {
  const n = w.actionNames.length, nIn = n + w.envFeatureNames.length, nOut = w.chunk * n;
  const out = new Float64Array(rows * nOut), one = new Float64Array(nOut);
  for (let r = 0; r < rows; r++) {
    forwardNormalized(w, inputs.subarray(r * nIn, r * nIn + n), inputs.subarray(r * nIn + n, (r + 1) * nIn), one);
    out.set(one, r * nOut);
  }
  return out;
}
