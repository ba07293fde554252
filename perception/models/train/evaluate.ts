// Accuracy of a localizer model file on rendered scenes: the shipped run-time path (ObjectLocalizer over
// onnxruntime) against the sim's ground truth. Shared by train.ts (validation, written into the model's
// metadata) and eval.ts (the held-out report).
import { Kinematics, loadArmDescription } from '../../../runtime/robot/index.js';
import { DEFAULT_TABLE, defaultBins } from '../../../sim/scene-layout.js';
import { SceneRenderer } from '../../../sim/render/scene-renderer.js';
import { overheadView } from '../../../sim/render/sim-views.js';
import { squareYawError } from '../localizer-decode.js';
import { ObjectLocalizer } from '../object-localizer.js';
import { areaResizeToNchw } from './area-resize.js';
import { labelBoxes } from './scene-labels.js';
import { sampleScene } from './scene-sampler.js';

/** Scene seeds: training run `seed` uses seed·1e6 + i; validation and evaluation lie far from any of them. */
export const trainingSeed = (runSeed: number, i: number): number => runSeed * 1_000_000 + i;
export const VALIDATION_SEED_BASE = 900_000_000;
export const EVAL_SEED_BASE = 950_000_000;

/** A detection this close to its box counts as found. */
export const FOUND_WITHIN_M = 0.03;

export interface EvalResult {
  scenes: number;
  /** Boxes on the table with at least 60 % of the top face visible. */
  targets: number;
  found: number;
  detectionRate: number;
  /** Detections matching no table box of their colour within FOUND_WITHIN_M. */
  falsePositives: number;
  medianPositionCm: number;
  p90PositionCm: number;
  medianYawDeg: number;
  p90YawDeg: number;
  /** Share of found boxes whose yaw is within the grasp tolerance (15°). */
  yawWithin15Deg: number;
  medianInferenceMs: number;
}

export interface EvalOptions {
  modelPath: string;
  seeds: readonly number[];
  /** Called after each scene. */
  progress?: (done: number, total: number, partial: EvalResult) => void;
}

export async function evaluateLocalizer(o: EvalOptions): Promise<EvalResult> {
  const description = loadArmDescription();
  const kin = new Kinematics(description);
  const renderer = new SceneRenderer({ description });
  const view = overheadView();
  const localizer = await ObjectLocalizer.create({ modelPath: o.modelPath });
  const { width, height } = view.camera.intrinsics;
  const rgb = new Uint8Array(3 * width * height), ids = new Uint8Array(width * height);
  const factor = width / localizer.inputWidth;
  const posErr: number[] = [], yawErr: number[] = [], inferMs: number[] = [];
  let targets = 0, found = 0, falsePositives = 0, scenes = 0;
  const summary = (): EvalResult => ({
    scenes, targets, found, detectionRate: targets ? found / targets : 0, falsePositives,
    medianPositionCm: 100 * quantile(posErr, 0.5), p90PositionCm: 100 * quantile(posErr, 0.9),
    medianYawDeg: deg(quantile(yawErr, 0.5)), p90YawDeg: deg(quantile(yawErr, 0.9)),
    yawWithin15Deg: yawErr.length ? yawErr.filter((e) => e <= (15 * Math.PI) / 180).length / yawErr.length : 0,
    medianInferenceMs: quantile(inferMs, 0.5),
  });
  try {
    for (const seed of o.seeds) {
      const scene = sampleScene(seed, kin, DEFAULT_TABLE, defaultBins());
      renderer.setArm(scene.q);
      renderer.render(view, scene.boxes, rgb, ids);
      const labels = labelBoxes(scene.boxes, view.camera, ids);
      areaResizeToNchw(rgb, width, height, factor, localizer.input);
      const t0 = performance.now();
      const detections = await localizer.run();
      inferMs.push(performance.now() - t0);
      for (const d of detections) {
        const box = labels.find((l) => l.color === d.color && l.status === 'table');
        if (!box || Math.hypot(d.xM - box.xM, d.yM - box.yM) > FOUND_WITHIN_M) falsePositives++;
      }
      for (const l of labels) {
        if (l.role !== 'target') continue;
        targets++;
        const d = detections.find((x) => x.color === l.color);
        if (!d) continue;
        const e = Math.hypot(d.xM - l.xM, d.yM - l.yM);
        posErr.push(e);
        if (e > FOUND_WITHIN_M) continue;
        found++;
        yawErr.push(squareYawError(d.yawRad, l.yawRad));
      }
      scenes++;
      o.progress?.(scenes, o.seeds.length, summary());
    }
  } finally {
    await localizer.release();
  }
  return summary();
}

function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function deg(rad: number): number {
  return (rad * 180) / Math.PI;
}

export function formatEval(r: EvalResult): string {
  return `scenes ${r.scenes}, targets ${r.targets}, detection rate ${(100 * r.detectionRate).toFixed(1)} %, ` +
    `position median ${r.medianPositionCm.toFixed(2)} cm p90 ${r.p90PositionCm.toFixed(2)} cm, ` +
    `yaw median ${r.medianYawDeg.toFixed(1)}° p90 ${r.p90YawDeg.toFixed(1)}° (${(100 * r.yawWithin15Deg).toFixed(1)} % within 15°), ` +
    `false positives ${r.falsePositives}, inference median ${r.medianInferenceMs.toFixed(2)} ms`;
}
