// The render thread behind ThreadedSimCamera: it owns a SceneRenderer and paints each requested snapshot of the
// world into the shared frame buffer it is told to, so the main thread (the control loop, the e-stop, the
// network) never spends the ~8 ms a 640×480 software render takes.
import { parentPort, workerData } from 'node:worker_threads';
import { SceneRenderer } from './render/scene-renderer.js';
import { overheadView, wristView } from './render/sim-views.js';
import type { RenderRequest, RenderThreadData } from './threaded-sim-camera.js';

const data = workerData as RenderThreadData;
const renderer = new SceneRenderer({ description: data.description, table: data.table, bins: data.bins, noise: data.noise });
const view = data.view === 'wrist' ? wristView() : overheadView();
const outs = data.frames.map((b) => new Uint8Array(b));
// Loading this thread (from source: compiling) can take seconds on a busy machine; connect() waits for this.
parentPort!.postMessage({ id: 0, renderMs: 0, ready: true });

parentPort!.on('message', (m: RenderRequest) => {
  const t0 = performance.now();
  try {
    renderer.setArm(m.q);
    const out = m.target ? new Uint8Array(m.target.buffer, m.target.byteOffset, m.target.length) : outs[m.slot];
    renderer.render(view, m.objects, out, undefined, m.cloth);
    parentPort!.postMessage({ id: m.id, renderMs: performance.now() - t0 });
  } catch (error) {
    parentPort!.postMessage({ id: m.id, renderMs: 0, error: (error as Error).message });
  }
});
