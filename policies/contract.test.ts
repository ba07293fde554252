import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadArmDescription } from '../runtime/robot/index.js';
import { UserError } from '../runtime/errors.js';
import { loadPolicy, parsePolicyContract } from './contract.js';
import { buildTinyPolicy, tinyPolicySpec, type TinyPolicySpec } from './testing/tiny-policy-model.js';

const description = loadArmDescription();
const joints = description.commandJointNames;

function parse(spec: TinyPolicySpec) {
  return parsePolicyContract(buildTinyPolicy(spec), '/models/model.onnx', description);
}

/** The spec with one change; the loader must refuse it with a UserError matching `pattern`. */
function refuses(change: (s: TinyPolicySpec) => void, pattern: RegExp): void {
  const spec = tinyPolicySpec(joints);
  change(spec);
  assert.throws(() => parse(spec), (error: unknown) => {
    assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
    assert.match(error.message, /^loadPolicy: model\.onnx: /);
    assert.match(error.message, pattern);
    return true;
  });
}

test('a model that meets the contract is read with its metadata', () => {
  const c = parse(tinyPolicySpec(joints));
  assert.equal(c.version, 1);
  assert.equal(c.fps, 30);
  assert.equal(c.chunkSize, 2);
  assert.equal(c.nActionSteps, 1);
  assert.deepEqual(c.actionNames, joints);
  assert.deepEqual(c.envFeatureNames, ['object_x', 'object_y']);
  assert.equal(c.normalization.env?.mean.length, 2);
  assert.deepEqual(c.cameras, []);
});

test('refused: a missing input, named', () => {
  refuses((s) => { s.stateInput = { name: 'obs' }; }, /missing input "observation\.state" \(inputs: obs, observation\.environment_state\)/);
});

test('refused: a state input of the wrong width, with the arm joint count', () => {
  refuses((s) => { s.stateInput = { dims: ['batch', 6] }; }, /input "observation\.state" has shape \[batch,6\], the arm has 7 command joints/);
});

test('refused: an env input that does not match env_feature_names', () => {
  refuses((s) => { s.envInput = { dims: ['batch', 3] }; }, /"observation\.environment_state" has shape \[batch,3\], env_feature_names lists 2/);
});

test('refused: no env and no image input', () => {
  refuses((s) => { s.envInput = null; }, /needs "observation\.environment_state" or at least one "observation\.images\.<camera>"/);
});

test('refused: a fixed batch other than 1', () => {
  refuses((s) => { s.stateInput = { dims: [4, 7] }; }, /batch dimension 4/);
});

test('refused: an action output of the wrong shape or name', () => {
  refuses((s) => { s.actionOutput = { dims: ['batch', 3, 7] }; }, /output "action" has shape \[batch,3,7\]; expected \[B,2,7\]/);
  refuses((s) => { s.actionOutput = { name: 'actions' }; }, /missing output "action" \(outputs: actions\)/);
});

test('refused: action names that are not the arm joints', () => {
  refuses((s) => { s.metadata = { action_names: JSON.stringify([...joints.slice(0, 6), 'gripper']) }; },
    /action_names .*"gripper"\] do not match the arm's command joints .*"gripper_finger_left"\]/);
  refuses((s) => { s.metadata = { state_names: JSON.stringify([...joints].reverse()) }; }, /state_names .* do not match/);
});

test('refused: missing metadata, bad JSON, bad numbers, unknown features', () => {
  refuses((s) => { s.metadata = { normalization: null, fps: null }; }, /metadata_props lacks "fps", "normalization"/);
  refuses((s) => { s.metadata = { normalization: '{"state": [1,2' }; }, /metadata "normalization" is not valid JSON/);
  refuses((s) => { s.metadata = { action_names: '"shoulder_pan"' }; }, /"action_names" must be a JSON array of strings/);
  refuses((s) => { s.metadata = { chunk_size: '2.5' }; }, /"chunk_size" must be a positive integer, got "2\.5"/);
  refuses((s) => { s.metadata = { n_action_steps: '3' }; }, /n_action_steps 3 exceeds chunk_size 2/);
  refuses((s) => { s.metadata = { 'armstack.policy_version': '2' }; }, /armstack\.policy_version is 2; this armstack reads version 1/);
  refuses((s) => { s.metadata = { env_feature_names: '["object_x","box_mass"]' }; }, /unknown environment features \["box_mass"\]/);
  refuses((s) => { s.normalization.action.std[3] = 0; }, /normalization\.action\.std must be positive/);
  refuses((s) => { s.normalization.state.mean.pop(); }, /normalization\.state\.mean must be 7 finite numbers/);
});

test('a corrupt or missing file is a UserError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-policy-'));
  try {
    const path = join(dir, 'broken.onnx');
    const good = buildTinyPolicy(tinyPolicySpec(joints));
    writeFileSync(path, good.subarray(0, Math.floor(good.length / 2)));
    assert.throws(() => loadPolicy(path, description), (e: unknown) => e instanceof UserError && /broken\.onnx: not a readable ONNX model/.test(e.message));
    writeFileSync(path, 'definitely not protobuf, just text that happens to be here');
    assert.throws(() => loadPolicy(path, description), (e: unknown) => e instanceof UserError && /broken\.onnx: not a readable ONNX model/.test(e.message));
    assert.throws(() => loadPolicy(join(dir, 'absent.onnx'), description), (e: unknown) => e instanceof UserError && /cannot read policy .*absent\.onnx/.test(e.message));
    writeFileSync(path, good);
    assert.equal(loadPolicy(path, description).contract.chunkSize, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
