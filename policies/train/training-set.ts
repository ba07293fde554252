// From recorded rows to normalized training pairs: inputs are the state (measured command joints) and the
// environment features, targets the next `chunk` expert targets as offsets from the measured state ("relative
// actions"). Offsets are what the network predicts; the exported ONNX graph adds the state back and returns
// absolute, normalized actions, so the contract's `action` stays absolute joint targets.
import type { ArmDescription } from '../../runtime/robot/index.js';
import { EnvFeatureBuilder, emptyTaskObservation } from '../features.js';
import type { Normalization, FeatureStats } from '../contract.js';
import { PHASES, type DemoDataset } from './demo-dataset.js';

export interface TrainingSetConfig {
  chunk: number;
  envFeatureNames: readonly string[];
  /** Use every k-th row (neighbouring ticks are nearly the same sample). Default 1. */
  rowStride?: number;
  /** Episodes (by index) held out for validation, e.g. every 20th. Default: none. */
  isValidation?: (episode: number) => boolean;
  /** Standard deviations are floored here so a constant feature does not blow up. Default 1e-3. */
  minStd?: number;
  /**
   * Gripper labels: 'command' copies the expert's gripper command; 'goal' (default) heads for where the current
   * gripper motion ends, at most gripperRateM per tick from the measured opening. See gripperGoals().
   */
  gripperLabels?: 'command' | 'goal';
  /** Default 0.002 m per tick (60 mm/s at 30 Hz, 60% of arm6's finger speed limit). */
  gripperRateM?: number;
  /**
   * Predict the gripper's target itself rather than an offset from its measured opening. Default true: an offset
   * integrates any small bias of the network into a slow creep of the fingers; a target does not.
   */
  gripperAbsolute?: boolean;
  /**
   * Label the arm of "closing, box already held" ticks with the lift that follows (default true). The expert keeps
   * the arm still after the fingers meet the box, until its gripper command has finished ramping (an artefact of
   * its open-loop ramp, not a need). A memoryless policy sees "holding, at grasp height, still" labelled both
   * "stay" and "lift", hesitates there and drifts.
   */
  liftWhenHeld?: boolean;
  /** Rows of these phases are drawn this many times as often in training (precision matters most there). */
  phaseWeights?: Partial<Record<(typeof PHASES)[number], number>>;
}

export interface TrainingSplit {
  /** Normalized inputs, rows × (nState + nEnv): state first. */
  x: Float32Array;
  /** Normalized targets (offsets for relative joints), rows × (chunk · nAction). */
  y: Float32Array;
  rows: number;
  /** Relative sampling weight per row (phaseWeights), when any. */
  weights?: Float32Array;
}

export interface TrainingSet {
  nState: number;
  nEnv: number;
  nAction: number;
  chunk: number;
  envFeatureNames: string[];
  /** Contract statistics: state, env and absolute action. */
  normalization: Normalization;
  /** Statistics of the network's targets, per chunk step and joint (chunk · nAction). */
  offset: FeatureStats;
  /** Per joint: offset from the state (true) or absolute target (false). */
  relative: boolean[];
  train: TrainingSplit;
  validation: TrainingSplit;
}

export function buildTrainingSet(dataset: DemoDataset, description: ArmDescription, config: TrainingSetConfig): TrainingSet {
  const names = description.commandJointNames;
  if (JSON.stringify(names) !== JSON.stringify(dataset.header.jointNames)) {
    throw new Error(`buildTrainingSet: the recording's joints ${JSON.stringify(dataset.header.jointNames)} are not the arm's ${JSON.stringify(names)}`);
  }
  const n = names.length, C = config.chunk, stride = config.rowStride ?? 1, minStd = config.minStd ?? 1e-3;
  const features = new EnvFeatureBuilder(config.envFeatureNames, description);
  const nEnv = features.size, nIn = n + nEnv, nOut = C * n;
  const L = dataset.layout, d = dataset.data, starts = dataset.header.episodeStarts;
  // Which rows go where.
  const trainRows: number[] = [], valRows: number[] = [], episodeEnd: number[] = [];
  for (let e = 0; e + 1 < starts.length; e++) {
    const into = config.isValidation?.(e) ? valRows : trainRows;
    for (let r = starts[e]; r < starts[e + 1]; r += stride) {
      into.push(r);
      episodeEnd[r] = starts[e + 1];
    }
  }
  const goal = config.gripperLabels === 'command' ? undefined : gripperGoals(dataset);
  const rate = config.gripperRateM ?? 0.002, g = n - 1;
  const relative = names.map((_, i) => !(i === g && (config.gripperAbsolute ?? true)));
  const phaseWeight = PHASES.map((p) => config.phaseWeights?.[p] ?? 1);
  const weighted = PHASES.some((_, i) => phaseWeight[i] !== 1);
  const liftFrom = config.liftWhenHeld === false ? undefined : liftStarts(dataset, description);
  const task = emptyTaskObservation();
  const q = new Float64Array(n);
  const raw = (rows: number[]): { x: Float32Array; y: Float32Array; w?: Float32Array } => {
    const x = new Float32Array(rows.length * nIn), y = new Float32Array(rows.length * nOut);
    const w = weighted ? new Float32Array(rows.length) : undefined;
    rows.forEach((r, k) => {
      const o = r * L.stride;
      if (w) w[k] = phaseWeight[d[o + L.phase]] ?? 1;
      for (let i = 0; i < n; i++) q[i] = x[k * nIn + i] = d[o + L.q + i];
      features.build(dataset.taskOf(r, task), q, d[o + L.effort], x, k * nIn + n);
      const last = episodeEnd[r] - 1;
      for (let c = 0; c < C; c++) {
        // Past the episode's end the last target repeats (the arm stays), as LeRobot pads its chunks.
        const rc = Math.min(r + c, last), t = rc * L.stride + L.target;
        for (let i = 0; i < n; i++) y[k * nOut + c * n + i] = d[t + i] - q[i];
        const lift = liftFrom?.[r] ?? -1;
        if (lift >= 0) {
          const tl = Math.min(lift + c, last) * L.stride + L.target;
          for (let i = 0; i < g; i++) y[k * nOut + c * n + i] = d[tl + i] - q[i];
        }
        if (goal) {
          const step = (c + 1) * rate;
          y[k * nOut + c * n + g] = Math.min(Math.max(goal[rc], q[g] - step), q[g] + step) - q[g];
        }
        if (!relative[g]) y[k * nOut + c * n + g] += q[g];
      }
    });
    return { x, y, w };
  };
  const tr = raw(trainRows), va = raw(valRows);
  const inStats = columnStats(tr.x, nIn, minStd);
  const offset = columnStats(tr.y, nOut, minStd);
  // Absolute action statistics over every target of the training rows.
  const abs = new Float32Array(trainRows.length * n);
  trainRows.forEach((r, k) => { for (let i = 0; i < n; i++) abs[k * n + i] = d[r * L.stride + L.target + i]; });
  const actionStats = columnStats(abs, n, minStd);
  const normalization: Normalization = {
    state: { mean: inStats.mean.slice(0, n), std: inStats.std.slice(0, n) },
    env: { mean: inStats.mean.slice(n), std: inStats.std.slice(n) },
    action: actionStats,
  };
  const norm = (s: { x: Float32Array; y: Float32Array; w?: Float32Array }, rows: number): TrainingSplit => {
    normalizeColumns(s.x, nIn, inStats);
    normalizeColumns(s.y, nOut, offset);
    return { x: s.x, y: s.y, rows, weights: s.w };
  };
  return {
    nState: n, nEnv, nAction: n, chunk: C, envFeatureNames: [...features.names], normalization, offset, relative,
    train: norm(tr, trainRows.length), validation: norm(va, valRows.length),
  };
}

/**
 * Where each tick's gripper motion ends: the expert's gripper command at the end of the ramp it is on (its own
 * value when the command holds still). Why: the expert ramps the command smoothly, and while the fingers are
 * blocked by a held box a ramp toward "open" changes nothing measurable until the command passes the box's width.
 * A memoryless policy cannot tell how far along that ramp it is, averages "hold" with "opening" and stalls there.
 * The goal, rate-limited from the measured opening, is a function of what it sees.
 */
export function gripperGoals(dataset: DemoDataset): Float32Array {
  const L = dataset.layout, d = dataset.data, starts = dataset.header.episodeStarts;
  const g = L.target + dataset.header.jointNames.length - 1;
  const goal = new Float32Array(dataset.rows);
  for (let e = 0; e + 1 < starts.length; e++) {
    const last = starts[e + 1] - 1;
    for (let r = last; r >= starts[e]; r--) {
      const cmd = d[r * L.stride + g];
      goal[r] = r === last || d[(r + 1) * L.stride + g] === cmd ? cmd : goal[r + 1];
    }
  }
  return goal;
}

/**
 * For each row of a 'close' phase in which the box is already held (gripper effort past half its limit), the row
 * where the following lift begins; −1 elsewhere.
 */
export function liftStarts(dataset: DemoDataset, description: ArmDescription): Int32Array {
  const L = dataset.layout, d = dataset.data, starts = dataset.header.episodeStarts;
  const close = PHASES.indexOf('close'), lift = PHASES.indexOf('lift');
  const limits = description.gripperJoint.limits;
  const heldN = 0.5 * (limits.hasEffortLimits && limits.maxEffort > 0 ? limits.maxEffort : 1);
  const out = new Int32Array(dataset.rows).fill(-1);
  for (let e = 0; e + 1 < starts.length; e++) {
    let next = -1;
    for (let r = starts[e + 1] - 1; r >= starts[e]; r--) {
      const phase = d[r * L.stride + L.phase];
      if (phase === lift) next = r;
      else if (phase === close && next >= 0 && Math.abs(d[r * L.stride + L.effort]) > heldN) out[r] = next;
      else if (phase !== close) next = -1;
    }
  }
  return out;
}

/** Mean and standard deviation (floored at minStd) of each column of a row-major matrix. */
export function columnStats(m: Float32Array, cols: number, minStd: number): FeatureStats {
  const rows = m.length / cols;
  const mean = new Float64Array(cols), sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += m[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= Math.max(1, rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { const v = m[r * cols + c] - mean[c]; sq[c] += v * v; }
  const std = Array.from(sq, (s) => Math.max(minStd, Math.sqrt(s / Math.max(1, rows))));
  return { mean: Array.from(mean), std };
}

function normalizeColumns(m: Float32Array, cols: number, s: FeatureStats): void {
  for (let r = 0; r < m.length / cols; r++) for (let c = 0; c < cols; c++) m[r * cols + c] = (m[r * cols + c] - s.mean[c]) / s.std[c];
}
