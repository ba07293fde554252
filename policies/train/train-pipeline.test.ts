// Smoke test of the whole training pipeline on a tiny recording: collect → training set → tfjs → ONNX export →
// the ONNX output equals tfjs' → the exported file meets the contract and runs in the policy runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadArmDescription } from '../../runtime/robot/index.js';
import { ENV_FEATURE_NAMES } from '../features.js';
import { parsePolicyContract } from '../contract.js';
import { OnnxPolicy } from '../onnx-policy.js';
import { collectDemonstrations } from './collect.js';
import { DemoDataset, PHASES } from './demo-dataset.js';
import { buildTrainingSet, gripperGoals, liftStarts } from './training-set.js';
import { denseWeights, predictOffsets, trainBehaviourCloning } from './train-bc.js';
import { checkOnnxAgainst, exportPolicyOnnx, offsetsToNormalizedActions, referenceNormalizedActions } from './export-onnx.js';
import type { PolicyWeights } from './policy-weights.js';

const description = loadArmDescription();

test('training pipeline: 3 episodes, a few tfjs steps, an ONNX policy that matches tfjs and loads', async () => {
  const progress: number[] = [];
  const { dataset, stats } = await collectDemonstrations({ episodes: 3, seed: 5, description, onEpisode: (done) => progress.push(done) });
  assert.deepEqual(progress, [1, 2, 3]);
  assert.equal(stats.kept, 3, 'the expert finishes every episode, DART noise and all');
  assert.ok(dataset.rows > 300);
  // Every phase of a pick-and-place shows up in the recording.
  const seen = new Set<number>();
  for (let r = 0; r < dataset.rows; r++) seen.add(dataset.data[r * dataset.layout.stride + dataset.layout.phase]);
  for (const phase of ['pre_grasp', 'descend', 'close', 'lift', 'above_bin', 'lower', 'open', 'retreat'] as const) {
    assert.ok(seen.has(PHASES.indexOf(phase)), phase);
  }
  assert.ok(!seen.has(PHASES.indexOf('done')), 'recording ends after the retreat from the bin');
  // Label helpers: every episode has held-while-closing rows that point at the lift, and the gripper goal of the
  // first close tick is already the close target.
  const L = dataset.layout, lifts = liftStarts(dataset, description), goals = gripperGoals(dataset);
  for (let e = 0; e < 3; e++) {
    const rows = Array.from({ length: dataset.header.episodeStarts[e + 1] - dataset.header.episodeStarts[e] }, (_, i) => dataset.header.episodeStarts[e] + i);
    const held = rows.filter((r) => lifts[r] >= 0);
    assert.ok(held.length > 0, `episode ${e}: held while closing`);
    assert.ok(held.every((r) => dataset.data[lifts[r] * L.stride + L.phase] === PHASES.indexOf('lift')));
    const firstClose = rows.find((r) => dataset.data[r * L.stride + L.phase] === PHASES.indexOf('close'))!;
    assert.ok(goals[firstClose] < 0.03, `episode ${e}: close goal ${goals[firstClose]}`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'armstack-train-'));
  try {
    const file = join(dir, 'demos.bin');
    dataset.save(file);
    const loaded = DemoDataset.load(file);
    assert.equal(loaded.rows, dataset.rows);
    assert.deepEqual(loaded.header.episodeStarts, dataset.header.episodeStarts);

    const set = buildTrainingSet(loaded, description, {
      chunk: 4, envFeatureNames: ENV_FEATURE_NAMES, rowStride: 4, isValidation: (e) => e === 2, phaseWeights: { descend: 3 },
    });
    assert.deepEqual(set.relative, [true, true, true, true, true, true, false], 'the gripper is predicted as a target');
    assert.ok(set.train.weights && set.train.weights.some((w) => w === 3));
    assert.equal(set.nEnv, ENV_FEATURE_NAMES.length);
    assert.ok(set.validation.rows > 0 && set.train.rows > 0);
    const result = await trainBehaviourCloning(set, { hidden: [16], steps: 30, batchSize: 32, evalEvery: 15, learningRate: 3e-3 });
    assert.equal(result.history.length, 2);
    assert.ok(result.history[1].trainLoss < result.history[0].trainLoss * 1.5, 'the loss does not blow up');

    const weights: PolicyWeights = {
      fps: 30, chunk: 4, nActionSteps: 1, actionNames: [...description.commandJointNames], envFeatureNames: set.envFeatureNames,
      normalization: set.normalization, offset: set.offset, relative: set.relative,
      layers: denseWeights(result.model).map((l) => ({ ...l, kernel: Array.from(l.kernel), bias: Array.from(l.bias) })), info: { test: true },
    };
    const bytes = exportPolicyOnnx(weights);
    const rows = Math.min(64, set.validation.rows), nIn = set.nState + set.nEnv;
    const x = set.validation.x.subarray(0, rows * nIn);
    const tfjsActions = offsetsToNormalizedActions(weights, x, predictOffsets(result.model, x, rows, nIn), rows);
    const check = await checkOnnxAgainst(bytes, description, weights, x, rows, tfjsActions);
    assert.ok(check.maxAbsDiff <= 1e-4, `ONNX vs tfjs ${check.maxAbsDiff}`);
    const reference = referenceNormalizedActions(weights, x, rows);
    for (let i = 0; i < reference.length; i++) assert.ok(Math.abs(reference[i] - tfjsActions[i]) < 1e-4, `JS reference vs tfjs [${i}]`);

    const contract = parsePolicyContract(bytes, 'smoke.onnx', description);
    assert.equal(contract.chunkSize, 4);
    assert.deepEqual(contract.envFeatureNames, [...ENV_FEATURE_NAMES]);
    const policy = await OnnxPolicy.create({ contract, bytes });
    try {
      policy.state.set(loaded.data.subarray(0, 7));
      const chunk = await policy.run();
      assert.equal(chunk.length, 4 * 7);
      assert.ok(chunk.every(Number.isFinite));
    } finally {
      await policy.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
