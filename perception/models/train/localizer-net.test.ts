import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { CELLS_X, CTX_FEATURES, CellFeatureExtractor, FINE_PIXELS, INPUT_H, INPUT_W, MASK_PIXELS } from './cell-features.js';
import { LocalizerNet, buildLocalizerOnnx } from './localizer-net.js';
import { areaResizeToNchw } from './area-resize.js';

describe('LocalizerNet export', () => {
  it('the ONNX graph over the whole image equals the tfjs network on per-cell features', async () => {
    const net = new LocalizerNet(8, 7);
    const w = net.weights();
    // Make the heads non-trivial so a wiring mistake shows (initial heads are near-constant).
    for (const a of [w.wh, w.wr, w.wm]) for (let i = 0; i < a.length; i++) a[i] = Math.sin(i * 1.7) * 0.5;
    net.setWeights(w);
    const image = new Float32Array(3 * INPUT_H * INPUT_W);
    for (let i = 0; i < image.length; i++) image[i] = (Math.sin(i * 0.37) + Math.sin(i * 0.011)) * 0.25 + 0.5;
    const session = await ort.InferenceSession.create(buildLocalizerOnnx(w, { classes: 'a' }).toBytes());
    const out = await session.run({ image: new ort.Tensor('float32', image, [1, 3, INPUT_H, INPUT_W]) });
    await session.release();
    const heat = out.heatmap.data as Float32Array, reg = out.regression.data as Float32Array, mask = out.mask.data as Float32Array;
    assert.deepEqual(out.heatmap.dims, [1, 8, 60, 80]);
    const ex = new CellFeatureExtractor();
    ex.setImage(image);
    // Corners and edges exercise the padding; the middle the plain case.
    const cells = [[0, 0], [0, 79], [59, 0], [59, 79], [30, 40], [1, 2], [57, 78], [12, 33]];
    const n = cells.length;
    const inputs = { fineRgb: new Float32Array(n * 3 * FINE_PIXELS), fineMask: new Float32Array(n * FINE_PIXELS), context: new Float32Array(n * CTX_FEATURES) };
    cells.forEach(([r, c], k) => ex.cell(r, c, k, inputs.fineRgb, inputs.fineMask, inputs.context));
    const p = net.predict(n, inputs);
    const plane = 60 * CELLS_X;
    cells.forEach(([r, c], k) => {
      for (let ch = 0; ch < 8; ch++) {
        const a = heat[ch * plane + r * CELLS_X + c], e = p.heat[k * 8 + ch];
        assert.ok(Math.abs(a - e) < 1e-4, `heat cell (${r},${c}) ch ${ch}: onnx ${a} vs tfjs ${e}`);
      }
      for (let ch = 0; ch < 5; ch++) {
        const a = reg[ch * plane + r * CELLS_X + c], e = p.reg[k * 5 + ch];
        assert.ok(Math.abs(a - e) < 1e-4, `regression cell (${r},${c}) ch ${ch}: onnx ${a} vs tfjs ${e}`);
      }
    });
    const pixels = [[0, 0], [119, 159], [0, 80], [60, 0], [37, 101]];
    const rgb = new Float32Array(pixels.length * 3 * MASK_PIXELS), valid = new Float32Array(pixels.length * MASK_PIXELS);
    pixels.forEach(([y, x], k) => ex.pixel(y, x, k, rgb, valid));
    const pm = net.predictMask(pixels.length, rgb, valid);
    pixels.forEach(([y, x], k) => {
      const a = mask[y * INPUT_W + x];
      assert.ok(Math.abs(a - pm[k]) < 1e-4, `mask pixel (${y},${x}): onnx ${a} vs tfjs ${pm[k]}`);
    });
  });

  it('areaResizeToNchw averages 4×4 blocks into RGB planes', () => {
    const rgb = new Uint8Array(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) {
      const p = 3 * (y * 8 + x);
      rgb[p] = x < 4 ? 255 : 0; rgb[p + 1] = y * 16; rgb[p + 2] = x;
    }
    const out = areaResizeToNchw(rgb, 8, 4, 4, new Float32Array(6));
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
    assert.ok(close(out[0], 1) && close(out[1], 0), 'red plane');
    assert.ok(close(out[2], 24 / 255) && close(out[3], 24 / 255), 'green plane');
    assert.ok(close(out[4], 1.5 / 255) && close(out[5], 5.5 / 255), 'blue plane');
  });
});
