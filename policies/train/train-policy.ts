// Reproduces the shipped policy: record demonstrations from the scripted expert, train the behaviour-cloning MLP
// with tfjs, export it to ONNX with the full contract metadata, and check the ONNX output against tfjs.
//
//   node --import tsx policies/train/train-policy.ts collect --episodes 400 --seed 1 --out .armstack/demos.bin
//   node --import tsx policies/train/train-policy.ts train --data .armstack/demos.bin --out policies/assets/pick-place-policy.onnx
//
// Progress goes to stderr, one line per step of work; the last stdout line is a JSON summary.
import { parseArgs } from 'node:util';
import { loadArmDescription } from '../../runtime/robot/index.js';
import { ENV_FEATURE_NAMES } from '../features.js';
import { collectDemonstrations } from './collect.js';
import { DemoDataset } from './demo-dataset.js';
import { buildTrainingSet } from './training-set.js';
import { trainBehaviourCloning, denseWeights, predictOffsets } from './train-bc.js';
import { savePolicyWeights, type PolicyWeights } from './policy-weights.js';
import { checkOnnxAgainst, exportPolicyOnnx, offsetsToNormalizedActions } from './export-onnx.js';

const log = (line: string): void => void process.stderr.write(line + '\n');

async function collect(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      episodes: { type: 'string', default: '400' },
      seed: { type: 'string', default: '1' },
      'start-index': { type: 'string', default: '0' },
      'dart-sigma': { type: 'string' },
      out: { type: 'string', default: '.armstack/policies/demos.bin' },
    },
  });
  const episodes = Number(values.episodes);
  const { dataset, stats } = await collectDemonstrations({
    episodes, seed: Number(values.seed), startIndex: Number(values['start-index']),
    dart: values['dart-sigma'] ? { sigmaRad: Number(values['dart-sigma']) } : undefined,
    onEpisode: (done, total, s) => {
      if (done % Math.max(1, Math.round(total / 20)) === 0 || done === total) {
        log(`collect: ${done}/${total} episodes, ${s.kept} kept, ${s.rows} rows, ${s.wallTimeS.toFixed(1)} s`);
      }
    },
  });
  dataset.save(values.out!);
  log(`collect: wrote ${values.out}`);
  process.stdout.write(JSON.stringify({ out: values.out, ...stats }) + '\n');
}

async function train(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', multiple: true, default: ['.armstack/policies/demos.bin'] },
      out: { type: 'string', default: 'policies/assets/pick-place-policy.onnx' },
      weights: { type: 'string', default: '.armstack/policies/weights.json' },
      hidden: { type: 'string', default: '128,128' },
      chunk: { type: 'string', default: '10' },
      'n-action-steps': { type: 'string', default: '1' },
      steps: { type: 'string', default: '6000' },
      batch: { type: 'string', default: '256' },
      lr: { type: 'string', default: '0.001' },
      loss: { type: 'string', default: 'l1' },
      stride: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      'gripper-labels': { type: 'string', default: 'goal' },
      'phase-weights': { type: 'string', default: 'descend=2.5,close=2' },
      features: { type: 'string', default: ENV_FEATURE_NAMES.join(',') },
    },
  });
  const description = loadArmDescription();
  const datasets = values.data!.map((p) => DemoDataset.load(p));
  const dataset = datasets.length === 1 ? datasets[0] : mergeDatasets(datasets);
  log(`train: ${dataset.episodes} episodes, ${dataset.rows} rows from ${values.data!.join(', ')}`);
  const chunk = Number(values.chunk);
  const set = buildTrainingSet(dataset, description, {
    chunk, envFeatureNames: values.features!.split(','), rowStride: Number(values.stride), isValidation: (e) => e % 20 === 19,
    gripperLabels: values['gripper-labels'] as 'goal' | 'command',
    phaseWeights: Object.fromEntries(values['phase-weights']!.split(',').filter(Boolean).map((kv) => {
      const [k, v] = kv.split('=');
      return [k, Number(v)];
    })),
  });
  log(`train: ${set.train.rows} training rows, ${set.validation.rows} validation rows, ${set.nState}+${set.nEnv} inputs, ${chunk}×${set.nAction} outputs`);
  const hidden = values.hidden!.split(',').map(Number);
  const config = {
    hidden, steps: Number(values.steps), batchSize: Number(values.batch), learningRate: Number(values.lr),
    loss: values.loss as 'l1' | 'mse', seed: Number(values.seed),
  };
  const weightsOf = (model: Parameters<typeof denseWeights>[0], extra: Record<string, unknown>): PolicyWeights => ({
    fps: dataset.header.rateHz, chunk, nActionSteps: Number(values['n-action-steps']),
    actionNames: [...description.commandJointNames], envFeatureNames: set.envFeatureNames,
    normalization: set.normalization, offset: set.offset, relative: set.relative,
    layers: denseWeights(model).map((l) => ({ ...l, kernel: Array.from(l.kernel), bias: Array.from(l.bias) })),
    info: {
      data: values.data, episodes: dataset.episodes, rows: set.train.rows, stride: Number(values.stride),
      gripperLabels: values['gripper-labels'], phaseWeights: values['phase-weights'], train: config, recording: dataset.header.info, ...extra,
    },
  });
  const result = await trainBehaviourCloning(set, config, (p, model) => {
    log(`train: step ${p.step}/${p.steps} loss ${p.trainLoss.toFixed(4)} val ${p.validationLoss?.toFixed(4) ?? '-'} lr ${p.learningRate.toExponential(2)} ${p.wallS.toFixed(0)} s`);
    // A checkpoint at every report, so a long run can be evaluated (or stopped) midway.
    savePolicyWeights(values.weights!, weightsOf(model, { checkpoint: p }));
  });
  const weights = weightsOf(result.model, { finalLoss: result.history.at(-1), trainWallS: Math.round(result.wallS) });
  savePolicyWeights(values.weights!, weights);
  log(`train: wrote ${values.weights}`);
  const bytes = exportPolicyOnnx(weights);
  // Same weights, same numbers: the ONNX output against tfjs' own prediction on held-out rows.
  const split = set.validation.rows > 0 ? set.validation : set.train;
  const rows = Math.min(256, split.rows), nIn = set.nState + set.nEnv;
  const x = split.x.subarray(0, rows * nIn);
  const tfjsActions = offsetsToNormalizedActions(weights, x, predictOffsets(result.model, x, rows, nIn), rows);
  const check = await checkOnnxAgainst(bytes, description, weights, x, rows, tfjsActions);
  log(`train: ONNX vs tfjs max |difference| ${check.maxAbsDiff.toExponential(2)} over ${check.samples} samples`);
  if (!(check.maxAbsDiff <= 1e-4)) throw new Error(`train: the exported ONNX model differs from tfjs by ${check.maxAbsDiff}`);
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, bytes);
  log(`train: wrote ${values.out} (${(bytes.length / 1024).toFixed(0)} KiB)`);
  process.stdout.write(JSON.stringify({ out: values.out, bytes: bytes.length, wallS: Math.round(result.wallS), final: result.history.at(-1), onnxMaxAbsDiff: check.maxAbsDiff }) + '\n');
}

function mergeDatasets(list: DemoDataset[]): DemoDataset {
  const first = list[0];
  const rows = list.reduce((s, d) => s + d.rows, 0);
  const data = new Float32Array(rows * first.layout.stride);
  const starts: number[] = [];
  let at = 0;
  for (const d of list) {
    data.set(d.data, at * first.layout.stride);
    const s = d.header.episodeStarts;
    for (let i = 0; i + 1 < s.length; i++) starts.push(at + s[i]);
    at += d.rows;
  }
  starts.push(at);
  return new DemoDataset({ ...first.header, episodeStarts: starts, info: { merged: list.map((d) => d.header.info) } }, data);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'collect') await collect(rest);
else if (command === 'train') await train(rest);
else {
  log('usage: train-policy.ts collect [--episodes N --seed S --out FILE] | train [--data FILE... --out FILE.onnx --hidden 128,128 --steps N]');
  process.exitCode = 2;
}
