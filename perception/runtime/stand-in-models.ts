// Stand-in models for when the shipped ones are absent (tests, a fresh checkout before training): a small conv
// net with the object localizer's inputs, outputs and metadata, and a policy that meets the policy contract
// (policies/contract.ts) and holds the arm where it is (action ≈ measured state). They exercise the same
// code path and cost the same order of compute as small real models, but they know nothing: whatever runs on
// them says so (PipelineInfo.standIn).
import { OnnxModelBuilder } from '../../runtime/onnx/index.js';
import * as op from '../../runtime/onnx/index.js';
import type { ArmDescription } from '../../runtime/robot/index.js';
import { ACTION_OUTPUT, ENV_INPUT, POLICY_CONTRACT_VERSION, STATE_INPUT } from '../../policies/contract.js';
import { ENV_FEATURE_NAMES } from '../../policies/features.js';
import { lookAtPose, type CameraParams } from '../models/camera-model.js';

/** metadata_props key that marks a stand-in model. */
export const STAND_IN_KEY = 'armstack.stand_in';

/** The sim's box colours, in its BOX_COLORS order (perception does not import sim/). */
export const STAND_IN_CLASSES = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'cyan', 'magenta'] as const;

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

export interface StandInVisionOptions {
  /** Camera frame size; the model input is a quarter of it in each direction (factor 4). */
  frameWidth: number;
  frameHeight: number;
}

/**
 * A model with the shipped object localizer's inputs, outputs and metadata (perception/models/README.md), so it
 * runs through the same ObjectLocalizer and decoder: "image" [1,3,H/4,W/4] → conv 3→8 stride 2 → "heatmap"
 * [1,8,H/8,W/8] (sigmoid; the first class biased to always peak somewhere) and "regression" [1,5,H/8,W/8].
 * The camera in its metadata looks straight down from 1.5 m, as the sim's overhead camera does.
 */
export function buildStandInVisionModel(o: StandInVisionOptions): Uint8Array {
  const inW = o.frameWidth / 4, inH = o.frameHeight / 4;
  const nC = STAND_IN_CLASSES.length;
  const b = new OnnxModelBuilder({ producerName: 'armstack-stand-in', graphName: 'stand_in_localizer' });
  const x = b.input('image', [1, 3, inH, inW]);
  const f = op.relu(b, op.conv2dFromHwio(b, x, values(3 * 3 * 3 * 8, 1, 0.3), new Float32Array(8), 3, 3, 3, 8, { strides: [2, 2], pads: [1, 1, 1, 1] }));
  const heatBias = new Float32Array(nC).fill(-4);
  heatBias[0] = 3;
  const logits = op.conv2dFromHwio(b, f, values(3 * 3 * 8 * nC, 2, 0.2), heatBias, 3, 3, 8, nC, { pads: [1, 1, 1, 1] });
  b.node('Sigmoid', [logits], ['heatmap']);
  b.output('heatmap', [1, nC, inH / 2, inW / 2]);
  const reg = op.conv2dFromHwio(b, f, values(3 * 3 * 8 * 5, 3, 0.05), new Float32Array(5), 3, 3, 8, 5, { pads: [1, 1, 1, 1] });
  op.identity(b, reg, 'regression');
  b.output('regression', [1, 5, inH / 2, inW / 2]);
  const fx = 560 * (o.frameWidth / 640);
  const camera: CameraParams = {
    name: 'overhead',
    intrinsics: { width: o.frameWidth, height: o.frameHeight, fx, fy: fx, cx: (o.frameWidth - 1) / 2, cy: (o.frameHeight - 1) / 2 },
    poseInBase: lookAtPose({ x: 0.2125, y: 0.075, z: 1.5 }, { x: 0.2125, y: 0.075, z: 0 }, { x: 1, y: 0, z: 0 }),
  };
  b.metadata('classes', STAND_IN_CLASSES.join(','))
    .metadata('input_width', inW).metadata('input_height', inH).metadata('resize', 'area').metadata('resize_factor', 4)
    .metadata('cell_stride', 2).metadata('channel_order', 'rgb').metadata('scale', '1/255').metadata('layout', 'nchw')
    .metadata('camera', JSON.stringify(camera))
    .metadata('table', JSON.stringify({ xMinM: -1, xMaxM: 1.5, yMinM: -1.5, yMaxM: 1.5, topZM: 0 }))
    .metadata('size_mean_m', 0.05).metadata('size_scale_m', 0.01).metadata('threshold', 0.5)
    .metadata(STAND_IN_KEY, 'true');
  return b.toBytes();
}

export interface StandInPolicyOptions {
  chunkSize?: number;
  nActionSteps?: number;
  fps?: number;
  /** Default: every known environment feature. */
  envFeatureNames?: readonly string[];
}

/**
 * A contract-valid policy: action[k] = state + a tiny MLP term of (state, env). State and action share their
 * normalization, so the denormalized action is the measured position plus well under a milliradian.
 */
export function buildStandInPolicy(description: ArmDescription, o: StandInPolicyOptions = {}): Uint8Array {
  const joints = description.commandJointNames;
  const nJ = joints.length;
  const chunk = o.chunkSize ?? 10;
  const env = [...(o.envFeatureNames ?? ENV_FEATURE_NAMES)];
  const nE = env.length;
  const hidden = 64;
  const b = new OnnxModelBuilder({ producerName: 'armstack-stand-in', graphName: 'stand_in_policy' });
  const state = b.input(STATE_INPUT, [1, nJ]);
  const envIn = b.input(ENV_INPUT, [1, nE]);
  const h = op.relu(b, op.dense(b, op.concat(b, [state, envIn], 1), values((nJ + nE) * hidden, 4, 0.2), new Float32Array(hidden), nJ + nE, hidden));
  const delta = op.dense(b, h, values(hidden * chunk * nJ, 5, 1e-4), new Float32Array(chunk * nJ), hidden, chunk * nJ);
  // Tile the state over the chunk with a 0/1 matrix [nJ, chunk·nJ].
  const tile = new Float32Array(nJ * chunk * nJ);
  for (let k = 0; k < chunk; k++) for (let j = 0; j < nJ; j++) tile[j * chunk * nJ + k * nJ + j] = 1;
  const tiled = op.matMul(b, state, b.initializer('tile', tile, [nJ, chunk * nJ]));
  const actions = op.reshape(b, op.add(b, tiled, delta), [1, chunk, nJ]);
  op.identity(b, actions, ACTION_OUTPUT);
  b.output(ACTION_OUTPUT, [1, chunk, nJ]);
  const stats = (n: number, std: number): { mean: number[]; std: number[] } => ({ mean: new Array(n).fill(0), std: new Array(n).fill(std) });
  const jointStats = stats(nJ, 1);
  b.metadata('armstack.policy_version', POLICY_CONTRACT_VERSION)
    .metadata('fps', o.fps ?? 30)
    .metadata('chunk_size', chunk)
    .metadata('n_action_steps', o.nActionSteps ?? Math.max(1, Math.floor(chunk / 2)))
    .metadata('action_names', JSON.stringify(joints))
    .metadata('state_names', JSON.stringify(joints))
    .metadata('env_feature_names', JSON.stringify(env))
    .metadata('normalization', JSON.stringify({ state: jointStats, env: stats(nE, 1), action: jointStats }))
    .metadata(STAND_IN_KEY, 'true');
  return b.toBytes();
}
