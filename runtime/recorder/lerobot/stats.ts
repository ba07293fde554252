// Feature statistics as LeRobot stores them (compute_stats.py): min, max, mean, std (population) and count per
// dimension; images per channel, scaled to [0, 1], shaped [3][1][1]. Episodes' stats combine into the dataset's
// with count-weighted means and the pooled variance.

export interface FeatureStats {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  count: number[];
}

/** Accumulates per-dimension stats of equally long vectors (float64 sums). */
export class StatsAccumulator {
  readonly dim: number;
  readonly #min: Float64Array;
  readonly #max: Float64Array;
  readonly #sum: Float64Array;
  readonly #sumSq: Float64Array;
  #count = 0;

  constructor(dim: number) {
    this.dim = dim;
    this.#min = new Float64Array(dim).fill(Number.POSITIVE_INFINITY);
    this.#max = new Float64Array(dim).fill(Number.NEGATIVE_INFINITY);
    this.#sum = new Float64Array(dim);
    this.#sumSq = new Float64Array(dim);
  }

  add(values: ArrayLike<number>, scale = 1): void {
    for (let i = 0; i < this.dim; i++) {
      const v = values[i] * scale;
      if (v < this.#min[i]) this.#min[i] = v;
      if (v > this.#max[i]) this.#max[i] = v;
      this.#sum[i] += v;
      this.#sumSq[i] += v * v;
    }
    this.#count++;
  }

  /** Adds interleaved samples (e.g. RGB pixels: dim 3), scaled (1/255 for images). */
  addInterleaved(data: ArrayLike<number>, scale = 1): void {
    const d = this.dim;
    for (let p = 0; p + d <= data.length; p += d) {
      for (let i = 0; i < d; i++) {
        const v = data[p + i] * scale;
        if (v < this.#min[i]) this.#min[i] = v;
        if (v > this.#max[i]) this.#max[i] = v;
        this.#sum[i] += v;
        this.#sumSq[i] += v * v;
      }
      this.#count++;
    }
  }

  get count(): number {
    return this.#count;
  }

  /** `countOverride`: LeRobot counts images in frames, not pixels. */
  result(countOverride?: number): FeatureStats {
    const n = Math.max(1, this.#count);
    const mean = Array.from(this.#sum, (s) => s / n);
    const std = Array.from(this.#sumSq, (s, i) => Math.sqrt(Math.max(0, s / n - mean[i] * mean[i])));
    return {
      min: Array.from(this.#min, (v) => (Number.isFinite(v) ? v : 0)),
      max: Array.from(this.#max, (v) => (Number.isFinite(v) ? v : 0)),
      mean, std, count: [countOverride ?? this.#count],
    };
  }
}

/** Stats of one value per frame (timestamp, indices). */
export function scalarStats(values: ArrayLike<number>): FeatureStats {
  const acc = new StatsAccumulator(1);
  const one = [0];
  for (let i = 0; i < values.length; i++) {
    one[0] = values[i];
    acc.add(one);
  }
  return acc.result();
}

/** Pools episode stats into dataset stats. */
export function aggregateStats(parts: readonly FeatureStats[]): FeatureStats {
  if (parts.length === 0) throw new RangeError('aggregateStats: no stats to aggregate');
  const dim = parts[0].mean.length;
  const total = parts.reduce((n, p) => n + p.count[0], 0);
  const mean = new Array<number>(dim).fill(0);
  for (const p of parts) for (let i = 0; i < dim; i++) mean[i] += (p.mean[i] * p.count[0]) / total;
  const variance = new Array<number>(dim).fill(0);
  for (const p of parts) {
    for (let i = 0; i < dim; i++) variance[i] += (p.count[0] * (p.std[i] ** 2 + (p.mean[i] - mean[i]) ** 2)) / total;
  }
  return {
    min: Array.from({ length: dim }, (_, i) => Math.min(...parts.map((p) => p.min[i]))),
    max: Array.from({ length: dim }, (_, i) => Math.max(...parts.map((p) => p.max[i]))),
    mean, std: variance.map(Math.sqrt), count: [total],
  };
}

/** LeRobot's image stats shape: each per-channel list becomes [[[v]], [[v]], [[v]]]. */
export function imageStatsShape(s: FeatureStats): Record<string, unknown> {
  const wrap = (values: number[]): number[][][] => values.map((v) => [[v]]);
  return { min: wrap(s.min), max: wrap(s.max), mean: wrap(s.mean), std: wrap(s.std), count: s.count };
}
