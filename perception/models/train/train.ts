// Trains the overhead box localizer and ships it as perception/models/assets/object-localizer.onnx.
//
//   node --import tsx perception/models/train/train.ts [--scenes 40000] [--seed 1] [--out PATH]
//
// Scenes are rendered on the fly (a fresh seeded scene every time, so there is no dataset to store or overfit),
// cells are sampled from each (cell-targets.ts) and the network trains in tfjs on the CPU. Progress goes to
// stdout; a checkpoint goes to .armstack/localizer/ every few hundred steps (--resume continues from it).
// At the end the model is exported, validated on held-out scenes, and written with its metadata.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Kinematics, loadArmDescription } from '../../../runtime/robot/index.js';
import { Random } from '../../../sim/random.js';
import { BOX_COLORS, DEFAULT_TABLE, defaultBins } from '../../../sim/scene-layout.js';
import { SceneRenderer } from '../../../sim/render/scene-renderer.js';
import { OVERHEAD_CAMERA, overheadView } from '../../../sim/render/sim-views.js';
import { defaultLocalizerModelPath } from '../object-localizer.js';
import { areaResizeToNchw } from './area-resize.js';
import { CELLS_X, CellFeatureExtractor, INPUT_H, INPUT_W } from './cell-features.js';
import { CellBatch, SIZE_MEAN_M, SIZE_SCALE_M, addSceneCells, addScenePixels } from './cell-targets.js';
import { VALIDATION_SEED_BASE, evaluateLocalizer, formatEval, trainingSeed } from './evaluate.js';
import { LocalizerNet, WEIGHT_NAMES, buildLocalizerOnnx } from './localizer-net.js';
import type { LocalizerWeights } from './localizer-net.js';
import { labelBoxes } from './scene-labels.js';
import { sampleScene } from './scene-sampler.js';

const RESIZE_FACTOR = OVERHEAD_CAMERA.intrinsics.width / INPUT_W;

const { values: args } = parseArgs({
  options: {
    scenes: { type: 'string', default: '40000' },
    seed: { type: 'string', default: '1' },
    'batch-cells': { type: 'string', default: '1024' },
    lr: { type: 'string', default: '0.003' },
    'val-scenes': { type: 'string', default: '200' },
    threshold: { type: 'string', default: '0.4' },
    out: { type: 'string', default: defaultLocalizerModelPath() },
    checkpoint: { type: 'string', default: '.armstack/localizer/checkpoint.json' },
    resume: { type: 'boolean', default: false },
    'export-only': { type: 'boolean', default: false },
  },
});

interface Checkpoint {
  seed: number;
  step: number;
  scenes: number;
  cells: number;
  weights: Record<keyof Omit<LocalizerWeights, 'classes'>, number[]> & { classes: number };
}

function saveCheckpoint(path: string, c: { seed: number; step: number; scenes: number; cells: number }, w: LocalizerWeights): void {
  mkdirSync(dirname(path), { recursive: true });
  const weights = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)]));
  writeFileSync(`${path}.tmp`, JSON.stringify({ ...c, weights }));
  renameSync(`${path}.tmp`, path);
}

function loadCheckpoint(path: string): Checkpoint {
  return JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
}

/** A checkpoint's weights; those it lacks (saved before a head was added) are left out and keep their init. */
function toWeights(c: Checkpoint): Partial<LocalizerWeights> {
  const w: Partial<LocalizerWeights> = { classes: c.weights.classes };
  for (const name of WEIGHT_NAMES) if (c.weights[name]) w[name] = Float32Array.from(c.weights[name]);
  return w;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const seed = Number(args.seed), totalScenes = Number(args.scenes), batchCells = Number(args['batch-cells']);
  const baseLr = Number(args.lr);
  const classes = [...BOX_COLORS];
  const net = new LocalizerNet(classes.length, seed);
  let state = { seed, step: 0, scenes: 0, cells: 0 };
  if (args.resume || args['export-only']) {
    const c = loadCheckpoint(args.checkpoint);
    net.setWeights(toWeights(c));
    state = { seed: c.seed, step: c.step, scenes: c.scenes, cells: c.cells };
    console.log(`resumed ${args.checkpoint}: step ${c.step}, ${c.scenes} scenes`);
  }

  if (!args['export-only']) {
    const description = loadArmDescription();
    const kin = new Kinematics(description);
    const renderer = new SceneRenderer({ description });
    const noisy = new SceneRenderer({ description, noise: { seed, stddevLevels: 2 } });
    const view = overheadView();
    const { width, height } = view.camera.intrinsics;
    const rgb = new Uint8Array(3 * width * height), ids = new Uint8Array(width * height);
    const input = new Float32Array(3 * INPUT_W * INPUT_H);
    const extractor = new CellFeatureExtractor();
    const rng = new Random(seed * 7919 + state.scenes);
    const optimizer = tf.train.adam(baseLr);
    const batch = new CellBatch(batchCells, classes.length);
    const t0 = performance.now(), startScenes = state.scenes;
    let heatAvg = 0, regAvg = 0, maskAvg = 0;
    while (state.scenes < totalScenes) {
      batch.clear();
      while (!batch.full && state.scenes < totalScenes) {
        const scene = sampleScene(trainingSeed(seed, state.scenes), kin, DEFAULT_TABLE, defaultBins());
        const r = state.scenes % 4 === 3 ? noisy : renderer;
        r.setArm(scene.q);
        r.render(view, scene.boxes, rgb, ids);
        const labels = labelBoxes(scene.boxes, view.camera, ids);
        areaResizeToNchw(rgb, width, height, RESIZE_FACTOR, input);
        extractor.setImage(input);
        state.cells += addSceneCells(rng, extractor, labels, rgb, ids, width, classes, batch);
        addScenePixels(rng, extractor, labels, ids, width, batch);
        state.scenes++;
      }
      // Cosine decay to 1/20 of the base rate over the run.
      const progress = state.scenes / totalScenes;
      (optimizer as unknown as { learningRate: number }).learningRate = baseLr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
      const loss = net.trainStep(batch, optimizer);
      state.step++;
      heatAvg = state.step === 1 ? loss.heat : 0.98 * heatAvg + 0.02 * loss.heat;
      regAvg = state.step === 1 ? loss.reg : 0.98 * regAvg + 0.02 * loss.reg;
      maskAvg = state.step === 1 ? loss.mask : 0.98 * maskAvg + 0.02 * loss.mask;
      if (state.step % 25 === 0 || state.scenes >= totalScenes) {
        const elapsedS = (performance.now() - t0) / 1000, rate = (state.scenes - startScenes) / elapsedS;
        const etaMin = (totalScenes - state.scenes) / rate / 60;
        console.log(`step ${state.step}  scenes ${state.scenes}/${totalScenes}  cells ${state.cells}  ` +
          `loss heat ${heatAvg.toFixed(4)} reg ${regAvg.toFixed(4)} mask ${maskAvg.toFixed(4)}  ${rate.toFixed(1)} scenes/s  eta ${etaMin.toFixed(1)} min`);
      }
      if (state.step % 200 === 0) saveCheckpoint(args.checkpoint, state, net.weights());
    }
    saveCheckpoint(args.checkpoint, state, net.weights());
  }

  const weights = net.weights();
  const metadata: Record<string, string | number> = {
    model: 'armstack object localizer',
    classes: classes.join(','),
    input_name: 'image',
    input_width: INPUT_W,
    input_height: INPUT_H,
    resize: 'area',
    resize_factor: RESIZE_FACTOR,
    channel_order: 'rgb',
    scale: '1/255',
    layout: 'nchw',
    cell_stride: 2,
    output_cells: `${CELLS_X}x${INPUT_H / 2}`,
    camera_name: OVERHEAD_CAMERA.name,
    camera: JSON.stringify(OVERHEAD_CAMERA),
    table: JSON.stringify(DEFAULT_TABLE),
    size_mean_m: SIZE_MEAN_M,
    size_scale_m: SIZE_SCALE_M,
    yaw_source: 'mask_moments',
    threshold: Number(args.threshold),
    training_seed: state.seed,
    dataset_scenes: state.scenes,
    dataset_cells: state.cells,
    training_steps: state.step,
    framework: `@tensorflow/tfjs ${tf.version.tfjs} (cpu), exported by runtime/onnx`,
  };
  const candidate = `${dirname(args.checkpoint)}/candidate.onnx`;
  buildLocalizerOnnx(weights, metadata).writeOnnx(candidate);
  const valScenes = Number(args['val-scenes']);
  const seeds = Array.from({ length: valScenes }, (_, i) => VALIDATION_SEED_BASE + i);
  console.log(`validating on ${valScenes} held-out scenes (seeds ${VALIDATION_SEED_BASE}..)`);
  const r = await evaluateLocalizer({
    modelPath: candidate, seeds,
    progress: (done, total, partial) => { if (done % 50 === 0 || done === total) console.log(`  ${done}/${total}: ${formatEval(partial)}`); },
  });
  Object.assign(metadata, {
    val_scenes: r.scenes, val_targets: r.targets, val_detection_rate: r.detectionRate.toFixed(4),
    val_median_position_cm: r.medianPositionCm.toFixed(3), val_p90_position_cm: r.p90PositionCm.toFixed(3),
    val_median_yaw_deg: r.medianYawDeg.toFixed(2), val_p90_yaw_deg: r.p90YawDeg.toFixed(2), val_false_positives: r.falsePositives,
  });
  mkdirSync(dirname(args.out), { recursive: true });
  buildLocalizerOnnx(weights, metadata).writeOnnx(args.out);
  console.log(`wrote ${args.out}: ${formatEval(r)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
