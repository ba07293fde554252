// `armstack bench render` (once registered in launch/benches.ts): 640×480 frames of the sim world through the
// overhead and the wrist camera, 8 boxes, the arm moving through poses. Target: median < 15 ms a frame.
// Shaped like launch's Bench without importing it (sim/ does not depend on launch/).
import { createSimWorld } from '../sim-arm-driver.js';
import { ARM6_HOME_POSITIONS } from '../world.js';
import { SceneRenderer } from './scene-renderer.js';
import { overheadView, wristView } from './sim-views.js';

export interface RenderBenchResult {
  bench: 'render';
  frames: number;
  overheadMedianMs: number;
  overheadP90Ms: number;
  overheadMaxMs: number;
  /** CPU time of the rendering thread: what a frame costs without other processes competing for the cores. */
  overheadCpuMedianMs: number;
  wristMedianMs: number;
  wristP90Ms: number;
  wristMaxMs: number;
  wristCpuMedianMs: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const renderBench = {
  description: 'software renderer: 640×480 overhead and wrist frames of the sim world (target: median < 15 ms)',
  async run(options: { seconds?: number; log: (line: string) => void }): Promise<RenderBenchResult> {
    const { world } = createSimWorld({ seed: 7, boxes: 8 });
    const renderer = SceneRenderer.forWorld(world);
    const out = new Uint8Array(640 * 480 * 3);
    const frames = Math.max(20, Math.round(30 * (options.seconds ?? 5)));
    const views = [overheadView(), wristView()];
    const ms: number[][] = [[], []], cpu: number[][] = [[], []];
    const q = Float64Array.from(ARM6_HOME_POSITIONS);
    for (let i = 0; i < 10; i++) for (const v of views) renderer.renderWorld(world, v, out);
    options.log(`bench render: ${frames} frames per camera...`);
    for (let i = 0; i < frames; i++) {
      q[0] = ARM6_HOME_POSITIONS[0] + 0.5 * Math.sin(i / 20);
      q[1] = ARM6_HOME_POSITIONS[1] + 0.3 * Math.sin(i / 13);
      world.dynamics.setPositions(q);
      views.forEach((v, k) => {
        const c0 = process.cpuUsage(), t0 = performance.now();
        renderer.renderWorld(world, v, out);
        ms[k].push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu[k].push((c.user + c.system) / 1000);
      });
    }
    const [o, w, oc, wc] = [...ms, ...cpu].map((a) => a.sort((x, y) => x - y));
    return {
      bench: 'render', frames,
      overheadMedianMs: quantile(o, 0.5), overheadP90Ms: quantile(o, 0.9), overheadMaxMs: o[o.length - 1], overheadCpuMedianMs: quantile(oc, 0.5),
      wristMedianMs: quantile(w, 0.5), wristP90Ms: quantile(w, 0.9), wristMaxMs: w[w.length - 1], wristCpuMedianMs: quantile(wc, 0.5),
    };
  },
  format(r: RenderBenchResult): string {
    return JSON.stringify(r);
  },
};
