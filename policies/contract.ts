// The policy contract: what an ONNX policy must look like for armstack to run it. Names follow LeRobot's
// exports so a LeRobot-trained policy needs only its metadata added:
//
//   inputs   observation.state               [B, n_state]   measured command-joint positions (normalized)
//            observation.environment_state   [B, n_env]     task features (features.ts; normalized)   } at least
//            observation.images.<camera>     [B, 3, H, W]   preprocessed frames                        } one
//   output   action                          [B, chunk, n_action]  absolute joint targets (normalized)
//
//   metadata_props  armstack.policy_version  "1" (this contract)
//                   fps, chunk_size, n_action_steps
//                   action_names, state_names   JSON arrays, = the arm's commandJointNames
//                   env_feature_names           JSON array of features.ts names (when the env input exists)
//                   normalization               JSON {state, env?, action: {mean: [...], std: [...]}}
//
// Normalization happens outside the graph (x_norm = (x − mean) / std, action = a_norm · std + mean), as LeRobot
// keeps it in the policy's processor, so the same statistics serve any runtime.
// loadPolicy refuses anything else with the mismatch named; a file that is not ONNX at all is a UserError too.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import onnxProto from 'onnx-proto';
import { UserError } from '../runtime/errors.js';
import type { ArmDescription } from '../runtime/robot/index.js';
import { validateEnvFeatureNames } from './features.js';

const { onnx } = onnxProto;

export const POLICY_CONTRACT_VERSION = 1;
export const STATE_INPUT = 'observation.state';
export const ENV_INPUT = 'observation.environment_state';
export const IMAGE_INPUT_PREFIX = 'observation.images.';
export const ACTION_OUTPUT = 'action';

export const POLICY_METADATA_KEYS = [
  'armstack.policy_version', 'fps', 'chunk_size', 'n_action_steps', 'action_names', 'state_names', 'normalization',
] as const;

export interface FeatureStats {
  mean: number[];
  std: number[];
}

export interface Normalization {
  state: FeatureStats;
  env?: FeatureStats;
  action: FeatureStats;
}

export interface CameraInput {
  /** Camera name (the part after observation.images.). */
  name: string;
  input: string;
  channels: number;
  height: number;
  width: number;
}

export interface PolicyContract {
  /** The file, for messages. */
  source: string;
  version: number;
  fps: number;
  chunkSize: number;
  /** Actions executed from a chunk before the next is needed (sets the action queue's refill threshold). */
  nActionSteps: number;
  actionNames: string[];
  stateNames: string[];
  /** Empty when the policy takes no environment features. */
  envFeatureNames: string[];
  cameras: CameraInput[];
  normalization: Normalization;
  /** Every other metadata_props entry (training provenance and the like). */
  extra: Record<string, string>;
}

export interface PolicyModel {
  contract: PolicyContract;
  /** The file it was read from, when it was. */
  path?: string;
  /** The ONNX file's bytes, for the runtime session. */
  bytes: Uint8Array;
}

/** Reads and checks an ONNX policy for this arm. Throws UserError naming the file and the mismatch. */
export function loadPolicy(path: string, description: ArmDescription): PolicyModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`loadPolicy: cannot read policy ${path}: ${(error as Error).message}`);
  }
  return { contract: parsePolicyContract(bytes, path, description), bytes, path };
}

type Dim = number | string;

/** The contract of an ONNX model held in memory; source names it in errors. */
export function parsePolicyContract(bytes: Uint8Array, source: string, description: ArmDescription): PolicyContract {
  const file = basename(source);
  const fail = (msg: string): never => {
    throw new UserError(`loadPolicy: ${file}: ${msg}`);
  };
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    return fail(`not a readable ONNX model (${(error as Error).message}); re-export it or check the download`);
  }
  const graph = model.graph;
  if (!graph || !graph.node || graph.node.length === 0) return fail('not a readable ONNX model (no graph); re-export it or check the download');

  const meta: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) meta[p.key] = p.value ?? '';
  const missing = POLICY_METADATA_KEYS.filter((k) => !(k in meta));
  if (missing.length) return fail(`metadata_props lacks ${missing.map((k) => `"${k}"`).join(', ')}`);
  const json = (key: string): unknown => {
    try {
      return JSON.parse(meta[key]);
    } catch (error) {
      return fail(`metadata "${key}" is not valid JSON (${(error as Error).message}): ${meta[key].slice(0, 80)}`);
    }
  };
  const positiveInt = (key: string): number => {
    const v = Number(meta[key]);
    if (!Number.isInteger(v) || v <= 0) fail(`metadata "${key}" must be a positive integer, got "${meta[key]}"`);
    return v;
  };
  const stringArray = (key: string): string[] => {
    const v = json(key);
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(`metadata "${key}" must be a JSON array of strings`);
    return v as string[];
  };

  const version = positiveInt('armstack.policy_version');
  if (version !== POLICY_CONTRACT_VERSION) fail(`armstack.policy_version is ${version}; this armstack reads version ${POLICY_CONTRACT_VERSION}`);
  const fps = Number(meta.fps);
  if (!(fps > 0 && Number.isFinite(fps))) fail(`metadata "fps" must be a positive number, got "${meta.fps}"`);
  const chunkSize = positiveInt('chunk_size');
  const nActionSteps = positiveInt('n_action_steps');
  if (nActionSteps > chunkSize) fail(`n_action_steps ${nActionSteps} exceeds chunk_size ${chunkSize}`);

  const joints = description.commandJointNames;
  const actionNames = stringArray('action_names');
  if (JSON.stringify(actionNames) !== JSON.stringify(joints)) {
    fail(`action_names ${JSON.stringify(actionNames)} do not match the arm's command joints ${JSON.stringify(joints)} (${description.source})`);
  }
  const stateNames = stringArray('state_names');
  if (JSON.stringify(stateNames) !== JSON.stringify(joints)) {
    fail(`state_names ${JSON.stringify(stateNames)} do not match the arm's command joints ${JSON.stringify(joints)} (${description.source})`);
  }

  // Graph inputs, without initializers (older exporters list weights as inputs too).
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = new Map<string, Dim[]>();
  for (const vi of graph.input ?? []) {
    if (!vi.name || initializers.has(vi.name)) continue;
    inputs.set(vi.name, shapeOf(vi, fail, 'input'));
  }
  const outputs = new Map<string, Dim[]>();
  for (const vi of graph.output ?? []) if (vi.name) outputs.set(vi.name, shapeOf(vi, fail, 'output'));

  const batch = (dims: Dim[], what: string): void => {
    if (typeof dims[0] === 'number' && dims[0] !== 1) fail(`${what} has batch dimension ${dims[0]}; use 1 or a symbolic batch`);
  };
  const state = inputs.get(STATE_INPUT);
  if (!state) return fail(`missing input "${STATE_INPUT}" (inputs: ${[...inputs.keys()].join(', ') || 'none'})`);
  if (state.length !== 2 || state[1] !== joints.length) {
    fail(`input "${STATE_INPUT}" has shape ${fmt(state)}, the arm has ${joints.length} command joints (expected [B,${joints.length}])`);
  }
  batch(state, `input "${STATE_INPUT}"`);

  let envFeatureNames: string[] = [];
  const env = inputs.get(ENV_INPUT);
  if (env) {
    if (!('env_feature_names' in meta)) fail(`input "${ENV_INPUT}" needs metadata "env_feature_names"`);
    envFeatureNames = stringArray('env_feature_names');
    const bad = validateEnvFeatureNames(envFeatureNames);
    if (bad) fail(bad);
    if (env.length !== 2 || env[1] !== envFeatureNames.length) {
      fail(`input "${ENV_INPUT}" has shape ${fmt(env)}, env_feature_names lists ${envFeatureNames.length} features`);
    }
    batch(env, `input "${ENV_INPUT}"`);
  }
  const cameras: CameraInput[] = [];
  for (const [name, dims] of inputs) {
    if (name === STATE_INPUT || name === ENV_INPUT) continue;
    if (!name.startsWith(IMAGE_INPUT_PREFIX) || name.length === IMAGE_INPUT_PREFIX.length) {
      fail(`unexpected input "${name}"; inputs are ${STATE_INPUT}, ${ENV_INPUT} and ${IMAGE_INPUT_PREFIX}<camera>`);
    }
    const [, c, h, w] = dims;
    if (dims.length !== 4 || c !== 3 || typeof h !== 'number' || typeof w !== 'number' || h <= 0 || w <= 0) {
      fail(`input "${name}" has shape ${fmt(dims)}; images are [B,3,H,W] with fixed H and W`);
    }
    batch(dims, `input "${name}"`);
    cameras.push({ name: name.slice(IMAGE_INPUT_PREFIX.length), input: name, channels: 3, height: h as number, width: w as number });
  }
  if (!env && cameras.length === 0) fail(`needs "${ENV_INPUT}" or at least one "${IMAGE_INPUT_PREFIX}<camera>" input besides the state`);

  const action = outputs.get(ACTION_OUTPUT);
  if (!action) return fail(`missing output "${ACTION_OUTPUT}" (outputs: ${[...outputs.keys()].join(', ') || 'none'})`);
  if (action.length !== 3 || action[1] !== chunkSize || action[2] !== joints.length) {
    fail(`output "${ACTION_OUTPUT}" has shape ${fmt(action)}; expected [B,${chunkSize},${joints.length}] (chunk_size ${chunkSize}, ${joints.length} command joints)`);
  }
  batch(action, `output "${ACTION_OUTPUT}"`);

  const normalization = parseNormalization(json('normalization'), joints.length, env ? envFeatureNames.length : undefined, fail);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (!(POLICY_METADATA_KEYS as readonly string[]).includes(k) && k !== 'env_feature_names') extra[k] = v;
  }
  return { source, version, fps, chunkSize, nActionSteps, actionNames, stateNames, envFeatureNames, cameras, normalization, extra };
}

function parseNormalization(v: unknown, nJoints: number, nEnv: number | undefined, fail: (msg: string) => never): Normalization {
  if (typeof v !== 'object' || v === null) fail('metadata "normalization" must be a JSON object {state, env, action}');
  const o = v as Record<string, unknown>;
  const stats = (key: string, n: number): FeatureStats => {
    const s = o[key] as Record<string, unknown> | undefined;
    if (typeof s !== 'object' || s === null) fail(`normalization lacks "${key}" {mean, std}`);
    const { mean, std } = s as { mean: unknown; std: unknown };
    for (const [name, arr] of [['mean', mean], ['std', std]] as const) {
      if (!Array.isArray(arr) || arr.length !== n || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        fail(`normalization.${key}.${name} must be ${n} finite numbers, got ${JSON.stringify(arr)?.slice(0, 80)}`);
      }
    }
    if (!(std as number[]).every((x) => x > 0)) fail(`normalization.${key}.std must be positive`);
    return { mean: mean as number[], std: std as number[] };
  };
  const out: Normalization = { state: stats('state', nJoints), action: stats('action', nJoints) };
  if (nEnv !== undefined) out.env = stats('env', nEnv);
  return out;
}

function shapeOf(vi: { name?: string | null; type?: { tensorType?: { elemType?: number | null; shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null }, fail: (m: string) => never, what: string): Dim[] {
  const t = vi.type?.tensorType;
  if (!t) return fail(`${what} "${vi.name}" is not a tensor`);
  if (t.elemType !== onnx.TensorProto.DataType.FLOAT) fail(`${what} "${vi.name}" has element type ${t.elemType}; policies use float32 (1)`);
  const dims = t.shape?.dim ?? [];
  return dims.map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue)));
}

/** protobufjs gives int64 as a number or a Long. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

function fmt(dims: Dim[]): string {
  return `[${dims.join(',')}]`;
}
