// The TS preprocess path runs per frame in the inference worker: it must not allocate.
// Measured with V8's sampling heap profiler, as runtime/safety/safety-filter.alloc.test.ts does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf, simLikePixels, swapRb } from '../cameras/testing/frames.js';
import { TsPreprocessor } from './ts-preprocessor.js';
import { sampleAllocations } from '../../runtime/testing/allocation-sampler.js';

test('TsPreprocessor: run() allocates nothing per frame (factor 4 and the general path, rgb8 and bgr8)', async () => {
  const rgb = simLikePixels(640, 480, 1);
  const frames = [frameOf(rgb, 640, 480, 'rgb8'), frameOf(swapRb(rgb), 640, 480, 'bgr8')];
  const pres = [new TsPreprocessor({ factor: 4 }), new TsPreprocessor({ factor: 2 })];
  const outs = pres.map((p) => new Float32Array(p.spec.outputLength));
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) pres[i & 1].run(frames[(i >> 1) & 1], outs[i & 1]);
  };
  run(200); // let V8 optimise first
  const frameCount = 600;
  const windows = await sampleAllocations(() => run(frameCount), { samplingInterval: 256, enoughBelowBytes: 8 * 1024 });
  // 16 bytes a frame would show as ~10 KB per window of 600 frames; a copied frame as megabytes.
  const best = Math.min(...windows.map((x) => x.bytes));
  assert.ok(best < 8 * 1024, `bytes allocated per ${frameCount} frames, by window: ${JSON.stringify(windows)}`);
});
