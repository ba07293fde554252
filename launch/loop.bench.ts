// `armstack bench loop`: the control loop with the sim on the wall clock, 30 s at 30 Hz then 30 s at 200 Hz,
// reporting period jitter and overruns per rate. Target on an idle machine: p99 jitter < 1 ms at 30 Hz, no overruns.
import { join } from 'node:path';
import { packageRoot } from '../runtime/package-root.js';
import { loadLaunchDescription } from './launch-description.js';
import { SimStack } from './sim-stack.js';
import type { Bench } from './benches.js';

interface PhaseResult {
  rateHz: number;
  seconds: number;
  ticks: number;
  achievedRateHz: number;
  jitterP50Ms: number;
  jitterP99Ms: number;
  jitterMaxMs: number;
  latenessP99Ms: number;
  workP50Ms: number;
  workP99Ms: number;
  overruns: number;
  objectsPlaced: number;
}

export interface LoopBenchResult {
  bench: 'loop';
  phases: PhaseResult[];
  /** Flattened figures of the 30 Hz phase for quick reading. */
  jitterP50Ms30Hz: number;
  jitterP99Ms30Hz: number;
  overruns30Hz: number;
  jitterP50Ms200Hz: number;
  jitterP99Ms200Hz: number;
  overruns200Hz: number;
  cpuUserS: number;
  cpuSystemS: number;
}

/** JIT compilation and first allocations are not what the loop does in steady state. */
const WARMUP_S = 2;

async function runPhase(rateHz: number, seconds: number): Promise<PhaseResult> {
  const launch = loadLaunchDescription(join(packageRoot(), 'launch', 'sim.launch.yaml'));
  const stack = new SimStack(launch, { headless: true, rateHz, durationS: seconds + WARMUP_S, log: () => undefined });
  let warmup: NodeJS.Timeout | undefined;
  try {
    await stack.start();
    warmup = setTimeout(() => stack.loop.resetStats(), WARMUP_S * 1000);
    await stack.done;
  } finally {
    clearTimeout(warmup);
    await stack.close();
  }
  const s = stack.summary();
  return {
    rateHz, seconds, ticks: s.ticks, achievedRateHz: s.achievedRateHz,
    jitterP50Ms: s.jitterP50Ms, jitterP99Ms: s.jitterP99Ms, jitterMaxMs: s.jitterMaxMs, latenessP99Ms: s.latenessP99Ms,
    workP50Ms: s.workP50Ms, workP99Ms: s.workP99Ms, overruns: s.overruns, objectsPlaced: s.objectsPlaced,
  };
}

export const loopBench: Bench<LoopBenchResult> = {
  description: 'control loop with the sim: 30 s at 30 Hz, then 30 s at 200 Hz',
  async run({ seconds = 30, log }) {
    const cpu0 = process.cpuUsage();
    const phases: PhaseResult[] = [];
    for (const rateHz of [30, 200]) {
      log(`bench loop: ${seconds} s at ${rateHz} Hz...`);
      phases.push(await runPhase(rateHz, seconds));
    }
    const cpu = process.cpuUsage(cpu0);
    const [a, b] = phases;
    return {
      bench: 'loop', phases,
      jitterP50Ms30Hz: a.jitterP50Ms, jitterP99Ms30Hz: a.jitterP99Ms, overruns30Hz: a.overruns,
      jitterP50Ms200Hz: b.jitterP50Ms, jitterP99Ms200Hz: b.jitterP99Ms, overruns200Hz: b.overruns,
      cpuUserS: cpu.user / 1e6, cpuSystemS: cpu.system / 1e6,
    };
  },
  format(r) {
    const rows = r.phases.map((p) =>
      `${String(p.rateHz).padStart(4)} Hz  ticks ${p.ticks}  jitter p50 ${p.jitterP50Ms} ms  p99 ${p.jitterP99Ms} ms  max ${p.jitterMaxMs} ms  work p99 ${p.workP99Ms} ms  overruns ${p.overruns}`);
    return ['loop benchmark (period jitter = |measured period - nominal|)', ...rows].join('\n');
  },
};
