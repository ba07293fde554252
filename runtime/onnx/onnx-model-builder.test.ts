import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { OnnxModelBuilder } from './onnx-model-builder.js';
import * as op from './onnx-ops.js';

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function run(b: OnnxModelBuilder, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(b.toBytes());
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Plain NCHW convolution, one image, zero padding [top, left, bottom, right]. */
function convRef(x: Float32Array, c: number, h: number, w: number, k: Float32Array, m: number, kh: number, kw: number,
  bias: Float32Array, pads: number[], stride: number, group: number): { out: Float32Array; oh: number; ow: number } {
  const oh = Math.floor((h + pads[0] + pads[2] - kh) / stride) + 1;
  const ow = Math.floor((w + pads[1] + pads[3] - kw) / stride) + 1;
  const out = new Float32Array(m * oh * ow);
  const cg = c / group, mg = m / group;
  for (let mo = 0; mo < m; mo++) {
    const g = Math.floor(mo / mg);
    for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
      let s = bias[mo];
      for (let ci = 0; ci < cg; ci++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const iy = y * stride + i - pads[0], ix = xx * stride + j - pads[1];
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
        s += k[((mo * cg + ci) * kh + i) * kw + j] * x[((g * cg + ci) * h + iy) * w + ix];
      }
      out[(mo * oh + y) * ow + xx] = s;
    }
  }
  return { out, oh, ow };
}

describe('OnnxModelBuilder', () => {
  it('writes an MLP (Gemm, Relu, Tanh, Softmax) with a dynamic batch that onnxruntime runs like the TS reference', async () => {
    const b = new OnnxModelBuilder({ producerName: 'armstack-test' });
    const inF = 5, hid = 7, outF = 3, batch = 4;
    const w1 = values(inF * hid, 1), b1 = values(hid, 2), w2 = values(hid * outF, 3), b2 = values(outF, 4);
    const x = b.input('x', ['batch', inF]);
    const h = op.relu(b, op.dense(b, x, w1, b1, inF, hid, 'l1'));
    const y = op.dense(b, h, w2, b2, hid, outF, 'l2');
    b.node('Softmax', [y], ['probs'], { axis: -1 });
    b.node('Tanh', [y], ['squashed']);
    b.output('probs', ['batch', outF]);
    b.output('squashed', ['batch', outF]);
    const xv = values(batch * inF, 5);
    const out = await run(b, { x: new ort.Tensor('float32', xv, [batch, inF]) });
    const probs = new Float32Array(batch * outF), squashed = new Float32Array(batch * outF);
    for (let n = 0; n < batch; n++) {
      const hv = new Float32Array(hid);
      for (let j = 0; j < hid; j++) {
        let s = b1[j];
        for (let i = 0; i < inF; i++) s += xv[n * inF + i] * w1[i * hid + j];
        hv[j] = Math.max(0, s);
      }
      const logits = Array.from({ length: outF }, (_, o) => {
        let s = b2[o];
        for (let j = 0; j < hid; j++) s += hv[j] * w2[j * outF + o];
        return s;
      });
      const mx = Math.max(...logits), ex = logits.map((l) => Math.exp(l - mx)), sum = ex.reduce((a, c) => a + c);
      for (let o = 0; o < outF; o++) {
        probs[n * outF + o] = ex[o] / sum;
        squashed[n * outF + o] = Math.tanh(logits[o]);
      }
    }
    assertClose(out.probs.data as Float32Array, probs, 1e-5, 'probs');
    assertClose(out.squashed.data as Float32Array, squashed, 1e-5, 'squashed');
  });

  it('writes Conv (pads, strides, groups), LeakyRelu, MaxPool and AveragePool that match the TS reference', async () => {
    const c = 4, h = 9, w = 7, m = 6;
    const b = new OnnxModelBuilder();
    const x = b.input('x', [1, c, h, w]);
    const k1 = values(m * c * 9, 11), bias1 = values(m, 12);
    const k2 = values(m * (m / 2) * 9, 13), bias2 = values(m, 14);
    const y1 = op.conv(b, x, b.initializer('k1', k1, [m, c, 3, 3]), b.initializer('b1', bias1, [m]), { pads: [1, 1, 1, 1] });
    const a1 = op.leakyRelu(b, y1, 0.1);
    const y2 = op.conv(b, a1, b.initializer('k2', k2, [m, m / 2, 3, 3]), b.initializer('b2', bias2, [m]), { pads: [1, 0, 1, 0], strides: [2, 2], group: 2 });
    b.node('Identity', [y2], ['conv']);
    b.node('MaxPool', [a1], ['maxpool'], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } });
    b.node('AveragePool', [a1], ['avgpool'], { kernel_shape: { ints: [3, 3] }, strides: { ints: [3, 3] } });
    b.output('conv', [1, m, 5, 3]);
    b.output('maxpool', [1, m, 4, 3]);
    b.output('avgpool', [1, m, 3, 2]);
    const xv = values(c * h * w, 15);
    const out = await run(b, { x: new ort.Tensor('float32', xv, [1, c, h, w]) });

    const r1 = convRef(xv, c, h, w, k1, m, 3, 3, bias1, [1, 1, 1, 1], 1, 1);
    const act = r1.out.map((v) => (v > 0 ? v : 0.1 * v));
    const r2 = convRef(act, m, h, w, k2, m, 3, 3, bias2, [1, 0, 1, 0], 2, 2);
    assert.deepEqual(out.conv.dims, [1, m, r2.oh, r2.ow]);
    assertClose(out.conv.data as Float32Array, r2.out, 1e-4, 'conv');
    const pool = (kk: number, f: (vs: number[]) => number) => {
      const oh = Math.floor((h - kk) / kk) + 1, ow = Math.floor((w - kk) / kk) + 1, res: number[] = [];
      for (let mo = 0; mo < m; mo++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
        const vs: number[] = [];
        for (let i = 0; i < kk; i++) for (let j = 0; j < kk; j++) vs.push(act[(mo * h + y * kk + i) * w + xx * kk + j]);
        res.push(f(vs));
      }
      return res;
    };
    assertClose(out.maxpool.data as Float32Array, pool(2, (vs) => Math.max(...vs)), 1e-5, 'maxpool');
    assertClose(out.avgpool.data as Float32Array, pool(3, (vs) => vs.reduce((a, v) => a + v) / vs.length), 1e-5, 'avgpool');
  });

  it('writes the elementwise, shape and reduction ops that match the TS reference', async () => {
    const b = new OnnxModelBuilder();
    const x = b.input('x', [2, 3, 4]);
    const y = b.input('y', [4]);
    const m = b.initializer('m', values(4 * 5, 21), [4, 5]);
    const sum = op.add(b, x, y), diff = op.sub(b, x, y), prod = op.mul(b, x, y);
    const quot = op.div(b, x, b.initializer('two', [2], [1]));
    const sig = op.sigmoid(b, x);
    op.identity(b, op.matMul(b, x, m), 'matmul');
    op.identity(b, op.concat(b, [sum, diff, prod, quot, sig], 2), 'cat');
    op.identity(b, op.transpose(b, x, [2, 0, 1]), 'transposed');
    op.identity(b, op.reshape(b, x, [0, -1]), 'reshaped');
    op.identity(b, op.flatten(b, x, 2), 'flat');
    op.identity(b, op.reduceMean(b, x, [1], false), 'mean');
    const s2d = op.spaceToDepth(b, op.reshape(b, x, [1, 2, 3, 4]), 1);
    op.identity(b, op.depthToSpace(b, op.spaceToDepth(b, b.input('img', [1, 2, 4, 6]), 2), 2), 'roundtrip');
    op.identity(b, s2d, 's2d1');
    for (const [name, dims] of [['matmul', [2, 3, 5]], ['cat', [2, 3, 20]], ['transposed', [4, 2, 3]], ['reshaped', [2, 12]],
      ['flat', [6, 4]], ['mean', [2, 4]], ['roundtrip', [1, 2, 4, 6]], ['s2d1', [1, 2, 3, 4]]] as const) b.output(name, [...dims]);
    const xv = values(24, 22), yv = values(4, 23), img = values(48, 24), mv = values(20, 21);
    const out = await run(b, {
      x: new ort.Tensor('float32', xv, [2, 3, 4]), y: new ort.Tensor('float32', yv, [4]), img: new ort.Tensor('float32', img, [1, 2, 4, 6]),
    });
    const mm: number[] = [], cat: number[] = [], tr: number[] = [], mean: number[] = [];
    for (let r = 0; r < 6; r++) {
      for (let o = 0; o < 5; o++) { let s = 0; for (let i = 0; i < 4; i++) s += xv[r * 4 + i] * mv[i * 5 + o]; mm.push(s); }
      for (const f of [(a: number, c: number) => a + c, (a: number, c: number) => a - c, (a: number, c: number) => a * c,
        (a: number) => a / 2, (a: number) => 1 / (1 + Math.exp(-a))]) for (let i = 0; i < 4; i++) cat.push(f(xv[r * 4 + i], yv[i]));
    }
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) tr.push(xv[(i * 3 + j) * 4 + k]);
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) mean.push((xv[i * 12 + k] + xv[i * 12 + 4 + k] + xv[i * 12 + 8 + k]) / 3);
    assertClose(out.matmul.data as Float32Array, mm, 1e-5, 'matmul');
    assertClose(out.cat.data as Float32Array, cat, 1e-5, 'cat');
    assertClose(out.transposed.data as Float32Array, tr, 0, 'transposed');
    assertClose(out.reshaped.data as Float32Array, xv, 0, 'reshaped');
    assertClose(out.flat.data as Float32Array, xv, 0, 'flat');
    assertClose(out.mean.data as Float32Array, mean, 1e-6, 'mean');
    assertClose(out.roundtrip.data as Float32Array, img, 0, 'roundtrip');
    assertClose(out.s2d1.data as Float32Array, xv, 0, 's2d1');
  });

  it('stores metadata, producer, IR 8 / opset 13, and symbolic dims that the session reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'armstack-onnx-'));
    try {
      const b = new OnnxModelBuilder({ producerName: 'armstack-test', producerVersion: '1.2.3' });
      b.input('x', ['batch', 2]);
      b.node('Identity', ['x'], ['y']);
      b.output('y', ['batch', 2]);
      b.metadata('classes', 'red,green').metadata('input_width', 160);
      const path = join(dir, 'm.onnx');
      b.writeOnnx(path);
      const model = onnxProto.onnx.ModelProto.decode(readFileSync(path));
      assert.equal(Number(model.irVersion), 8);
      assert.equal(Number(model.opsetImport[0].version), 13);
      assert.equal(model.producerName, 'armstack-test');
      assert.deepEqual(model.metadataProps.map((p) => [p.key, p.value]), [['classes', 'red,green'], ['input_width', '160']]);
      const session = await ort.InferenceSession.create(path);
      const meta = session.inputMetadata[0];
      assert.ok(meta.isTensor);
      assert.deepEqual(meta.isTensor && meta.shape, ['batch', 2]);
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a graph wired wrong, naming the node or value', () => {
    const b = new OnnxModelBuilder();
    b.input('x', [1]);
    b.node('Relu', ['nope'], ['y'], {}, 'relu_1');
    b.output('y', [1]);
    assert.throws(() => b.toBytes(), /node "relu_1" \(Relu\) reads "nope"/);
    const c = new OnnxModelBuilder();
    c.input('x', [1]);
    assert.throws(() => c.input('x', [2]), /"x" \(input\) is already defined/);
    c.output('z', [1]);
    assert.throws(() => c.toBytes(), /graph output "z" is produced by no node/);
    assert.throws(() => c.initializer('w', [1, 2, 3], [2, 2]), /"w" has 3 values but dims \[2,2\] hold 4/);
  });
});
