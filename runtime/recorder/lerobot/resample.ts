// Puts an episode's streams on one clock at the dataset rate: frame k is at t0 + k/fps, where t0 is the first
// moment every stream has data and the last frame is the last such moment before any stream ends. State and
// action hold their latest sample at or before each frame time (what a policy would have seen and sent);
// camera frames are the nearest in time.

/** Frame times (ns) from `startNs` to `endNs` inclusive at `fps`. */
export function frameTimesNs(startNs: bigint, endNs: bigint, fps: number): bigint[] {
  if (!(fps > 0)) throw new RangeError(`frameTimesNs: fps must be > 0, got ${fps}`);
  if (endNs < startNs) return [];
  const periodNs = 1e9 / fps;
  // Slack of 1/1000 frame: a stream ending on a frame time keeps that frame despite ns rounding of periods.
  const n = Math.floor(Number(endNs - startNs) / periodNs + 1e-3) + 1;
  const times: bigint[] = new Array(n);
  for (let k = 0; k < n; k++) times[k] = startNs + BigInt(Math.round(k * periodNs));
  return times;
}

/** For each time, the index of the last stamp at or before it (0 when none is). Stamps and times ascend. */
export function holdIndices(stampsNs: readonly bigint[], timesNs: readonly bigint[]): Int32Array {
  const out = new Int32Array(timesNs.length);
  let j = 0;
  for (let k = 0; k < timesNs.length; k++) {
    while (j + 1 < stampsNs.length && stampsNs[j + 1] <= timesNs[k]) j++;
    out[k] = j;
  }
  return out;
}

/** For each time, the index of the nearest stamp (the earlier one on a tie). Stamps and times ascend. */
export function nearestIndices(stampsNs: readonly bigint[], timesNs: readonly bigint[]): Int32Array {
  const out = new Int32Array(timesNs.length);
  let j = 0;
  for (let k = 0; k < timesNs.length; k++) {
    const t = timesNs[k];
    while (j + 1 < stampsNs.length && stampsNs[j + 1] <= t) j++;
    if (j + 1 < stampsNs.length && stampsNs[j] < t && stampsNs[j + 1] - t < t - stampsNs[j]) out[k] = j + 1;
    else out[k] = j;
  }
  return out;
}

/** Common span of several stamp series: [max of firsts, min of lasts]; undefined when one is empty. */
export function commonSpanNs(series: ReadonlyArray<readonly bigint[]>): { startNs: bigint; endNs: bigint } | undefined {
  let startNs: bigint | undefined;
  let endNs: bigint | undefined;
  for (const s of series) {
    if (s.length === 0) return undefined;
    const first = s[0], last = s[s.length - 1];
    if (startNs === undefined || first > startNs) startNs = first;
    if (endNs === undefined || last < endNs) endNs = last;
  }
  if (startNs === undefined || endNs === undefined || endNs < startNs) return undefined;
  return { startNs, endNs };
}
