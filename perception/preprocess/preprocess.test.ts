import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf, randomPixels, simLikePixels, swapRb } from '../cameras/testing/frames.js';
import { openCvOrSkip } from '../cameras/testing/opencv-test.js';
import { OpenCvPreprocessor } from './opencv-preprocessor.js';
import { resolvePreprocessSpec, type FrameLike } from './preprocess-spec.js';
import { TsPreprocessor } from './ts-preprocessor.js';

/** The contract written out as plainly as possible: RGB planes of factor×factor box means, / 255. */
function reference(frame: FrameLike, factor: number): Float32Array {
  const oW = frame.width / factor, oH = frame.height / factor;
  const out = new Float32Array(3 * oW * oH);
  for (let c = 0; c < 3; c++) {
    const byte = frame.encoding === 'bgr8' ? 2 - c : c;
    for (let oy = 0; oy < oH; oy++) {
      for (let ox = 0; ox < oW; ox++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          for (let dx = 0; dx < factor; dx++) sum += frame.data[((oy * factor + dy) * frame.width + ox * factor + dx) * 3 + byte];
        }
        out[(c * oH + oy) * oW + ox] = sum / (factor * factor) / 255;
      }
    }
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): { diff: number; at: number } {
  assert.equal(a.length, b.length);
  let diff = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > diff) { diff = d; at = i; }
  }
  return { diff, at };
}

test('TsPreprocessor: matches the contract exactly, rgb8 and bgr8, for factors 4, 2, 5 and 8', () => {
  for (const [w, h, factor] of [[640, 480, 4], [64, 48, 2], [80, 60, 5], [640, 480, 8]]) {
    const pre = new TsPreprocessor({ inputWidth: w, inputHeight: h, factor });
    assert.equal(pre.spec.outputLength, 3 * (w / factor) * (h / factor));
    const rgb = randomPixels(w, h, w + factor);
    const out = new Float32Array(pre.spec.outputLength);
    pre.run(frameOf(rgb, w, h, 'rgb8'), out);
    const { diff, at } = maxAbsDiff(out, reference(frameOf(rgb, w, h), factor));
    assert.ok(diff < 1e-6, `factor ${factor}: ${diff} at ${at}`);
    // The same scene delivered as bgr8 gives the same tensor.
    const fromBgr = new Float32Array(pre.spec.outputLength);
    pre.run(frameOf(swapRb(rgb), w, h, 'bgr8'), fromBgr);
    assert.deepEqual(fromBgr, out);
  }
});

test('TsPreprocessor: the word-at-a-time path (aligned frames) equals the byte path (unaligned views), extremes included', () => {
  const w = 640, h = 480;
  const pre = new TsPreprocessor({ inputWidth: w, inputHeight: h, factor: 4 });
  for (const pixels of [randomPixels(w, h, 7), new Uint8Array(w * h * 3).fill(255), new Uint8Array(w * h * 3)]) {
    const aligned = new Uint8Array(new SharedArrayBuffer(pixels.length + 8), 4, pixels.length);
    aligned.set(pixels);
    const unaligned = new Uint8Array(new ArrayBuffer(pixels.length + 8), 3, pixels.length);
    unaligned.set(pixels);
    const a = new Float32Array(pre.spec.outputLength), b = new Float32Array(pre.spec.outputLength);
    for (const bgr of [false, true]) {
      pre.runRaw(aligned, bgr, a);
      pre.runRaw(unaligned, bgr, b);
      assert.deepEqual(a, b);
      const { diff, at } = maxAbsDiff(bgr ? b : a, reference(frameOf(pixels, w, h), 4));
      if (!bgr) assert.ok(diff < 1e-6, `${diff} at ${at}`);
    }
  }
});

test('TsPreprocessor: values span [0, 1] and land in the caller-owned buffer', () => {
  const pre = new TsPreprocessor({ inputWidth: 8, inputHeight: 4, factor: 2 });
  const white = new Uint8Array(8 * 4 * 3).fill(255);
  const out = new Float32Array(pre.spec.outputLength + 5).fill(-1);
  pre.run(frameOf(white, 8, 4), out);
  assert.ok(out.subarray(0, pre.spec.outputLength).every((v) => Math.abs(v - 1) < 1e-6));
  assert.deepEqual([...out.subarray(pre.spec.outputLength)], [-1, -1, -1, -1, -1], 'nothing written past the tensor');
  pre.run(frameOf(new Uint8Array(8 * 4 * 3), 8, 4), out);
  assert.ok(out.subarray(0, pre.spec.outputLength).every((v) => v === 0));
});

test('preprocess: bad specs and mismatched frames are refused with the class, method and values named', () => {
  assert.throws(() => resolvePreprocessSpec({ factor: 3 }), /factor 3 must divide the input size 640×480/);
  assert.throws(() => new TsPreprocessor({ factor: 0 }), /TsPreprocessor: factor must be a positive integer, got 0/);
  const pre = new TsPreprocessor();
  const out = new Float32Array(pre.spec.outputLength);
  assert.throws(() => pre.run(frameOf(new Uint8Array(320 * 240 * 3), 320, 240), out), /TsPreprocessor#run: frame is 320×240, the spec expects 640×480/);
  assert.throws(() => pre.run(frameOf(new Uint8Array(10), 640, 480), out), /TsPreprocessor#run: frame data has 10 bytes, expected 921600/);
  assert.throws(() => pre.run(frameOf(new Uint8Array(640 * 480 * 3), 640, 480), new Float32Array(10)), /output has 10 floats, expected 57600/);
  const mono = { ...frameOf(new Uint8Array(640 * 480 * 3), 640, 480), encoding: 'mono8' as never };
  assert.throws(() => pre.run(mono, out), /encoding must be rgb8 or bgr8, got mono8/);
});

test('OpenCvPreprocessor and TsPreprocessor agree within 1/255 per element on sim-like and random frames', (t) => {
  if (!openCvOrSkip(t)) return;
  const cases: [string, Uint8Array][] = [
    ['sim-like', simLikePixels(640, 480, 7)],
    ['sim-like 2', simLikePixels(640, 480, 8)],
    ['random', randomPixels(640, 480, 9)],
  ];
  for (const factor of [4, 2]) {
    const ts = new TsPreprocessor({ factor });
    const cv = new OpenCvPreprocessor({ factor });
    assert.equal(cv.path, 'opencv');
    for (const [name, rgb] of cases) {
      for (const [encoding, data] of [['rgb8', rgb], ['bgr8', swapRb(rgb)]] as const) {
        const a = new Float32Array(ts.spec.outputLength);
        const b = new Float32Array(cv.spec.outputLength);
        ts.run(frameOf(data, 640, 480, encoding), a);
        cv.run(frameOf(data, 640, 480, encoding), b);
        const { diff, at } = maxAbsDiff(a, b);
        assert.ok(diff <= 1 / 255 + 1e-6, `${name} ${encoding} factor ${factor}: differ by ${diff * 255}/255 at ${at} (ts ${a[at]}, opencv ${b[at]})`);
      }
    }
  }
});

test('OpenCvPreprocessor: a frame view into a larger buffer (a shared slot) is read from its own offset', (t) => {
  if (!openCvOrSkip(t)) return;
  const rgb = simLikePixels(64, 48, 3);
  const big = new Uint8Array(rgb.length + 1000);
  big.set(rgb, 1000);
  const view = big.subarray(1000);
  const cv = new OpenCvPreprocessor({ inputWidth: 64, inputHeight: 48, factor: 4 });
  const ts = new TsPreprocessor({ inputWidth: 64, inputHeight: 48, factor: 4 });
  const a = new Float32Array(ts.spec.outputLength), b = new Float32Array(cv.spec.outputLength);
  ts.run(frameOf(rgb, 64, 48), a);
  cv.run(frameOf(view, 64, 48), b);
  assert.ok(maxAbsDiff(a, b).diff <= 1 / 255 + 1e-6);
});
