// Every `armstack bench <name>`: one module each, beside what it measures.
import { loopBench } from './loop.bench.js';
import { bridgeBench } from './bridge.bench.js';
import { hotpathBench } from './hotpath.bench.js';
import { recorderBench } from './recorder.bench.js';
import { dashboardBench } from './dashboard.bench.js';

export interface BenchOptions {
  /** Overrides the bench's default measurement length. */
  seconds?: number;
  /** Progress and notes (stderr), never the result. */
  log: (line: string) => void;
}

export interface Bench<R = Record<string, unknown>> {
  description: string;
  run(options: BenchOptions): Promise<R>;
  format(result: R): string;
}

export const benches: Record<string, Bench<any>> = {
  loop: loopBench,
  bridge: bridgeBench,
  hotpath: hotpathBench,
  recorder: recorderBench,
  dashboard: dashboardBench,
};
