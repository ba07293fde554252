import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kinematics, loadArmDescription } from '../../runtime/robot/index.js';
import { scanPoseQ } from '../../policies/scan-pose.js';
import { randomPixels, simLikePixels, swapRb } from '../cameras/testing/frames.js';
import { ObjectLocalizer } from '../models/object-localizer.js';
import { TsPreprocessor } from '../preprocess/ts-preprocessor.js';
import type { TickInfo } from '../../runtime/loop/index.js';
import { FakeCamera } from '../cameras/testing/fake-camera.js';
import { InferenceWorker } from './inference-worker.js';
import { WorkerPolicySource } from './worker-policy-source.js';
import { AUX, AUX_LENGTH } from './pipeline.js';
import { buildStandInPolicy, buildStandInVisionModel } from './stand-in-models.js';

const W = 640, H = 480;
const READY = [0, -1.2, 1.8, -2.1, -1.57, 0, 0.02];
// The arm at the scan pose leaves the camera's view of the table clear, so the self-filter lets detections through.
const CLEAR = [...scanPoseQ(new Kinematics(loadArmDescription())), 0.02];
const camera = { name: 'overhead', width: W, height: H };

function aux(binX = 0.1, binY = 0.5): Float64Array {
  const a = new Float64Array(AUX_LENGTH);
  a[AUX.BIN_X_M] = binX;
  a[AUX.BIN_Y_M] = binY;
  return a;
}

describe('InferenceWorker with stand-in models', () => {
  let worker: InferenceWorker;
  before(async () => {
    worker = await InferenceWorker.start({ camera, standIn: 'always' });
  });
  after(async () => {
    await worker.close();
  });

  it('says what it runs: stand-ins, the TS preprocess path, the execution provider, the sizes', () => {
    const i = worker.info;
    assert.equal(i.vision.standIn, true);
    assert.equal(i.policy.standIn, true);
    assert.equal(i.preprocess, 'ts');
    assert.equal(i.executionProvider, 'cpu');
    assert.deepEqual([i.preprocessSpec.outputWidth, i.preprocessSpec.outputHeight, i.preprocessSpec.factor], [160, 120, 4]);
    assert.equal(i.actionLength, i.policy.chunkSize * i.policy.actionDim);
    assert.equal(i.stateLength, READY.length);
    assert.match(i.notes.join('; '), /vision model: stand-in.*policy: stand-in/);
  });

  it('runs frame → preprocess → vision → features → policy → action chunk, with per-request timings', async () => {
    assert.equal(worker.poll(), undefined, 'nothing finished yet, and poll() does not wait');
    worker.frameSlot().set(simLikePixels(W, H, 1));
    const seq = worker.submit(123_456_789n, 7, 'rgb8', CLEAR, aux());
    const r = await worker.waitResult(seq, 10_000);
    assert.ok(r, 'a result within 10 s');
    assert.equal(r.ok, true);
    assert.equal(r.requestSeq, seq);
    assert.equal(r.frameSeq, 7);
    assert.equal(r.frameStampNs, 123_456_789n);
    assert.ok(r.submittedNs <= r.startedNs && r.startedNs < r.doneNs, 'submit ≤ start < done on the shared monotonic clock');
    for (const k of ['preprocessMs', 'visionMs', 'policyMs', 'totalMs'] as const) assert.ok(r[k] > 0, `${k} = ${r[k]}`);
    assert.ok(r.totalMs >= r.preprocessMs + r.visionMs + r.policyMs - 1e-6);
    // The stand-in policy holds still: every action of the chunk is the measured state.
    assert.equal(r.actions.length, r.chunkSize * r.actionDim);
    for (let k = 0; k < r.chunkSize; k++) {
      for (let j = 0; j < r.actionDim; j++) assert.ok(Math.abs(r.actions[k * r.actionDim + j] - CLEAR[j]) < 0.01, `action[${k}][${j}] = ${r.actions[k * r.actionDim + j]}`);
    }
    const names = worker.info.featureNames;
    assert.equal(r.features[names.indexOf('object_seen')], 1);
    assert.ok(Math.abs(r.features[names.indexOf('bin_x')] - 0.1) < 1e-6, 'the goal reached the features');
  });

  it('reads the frame in place: its detection equals the stand-in localizer run here on the TS preprocess output', async () => {
    const pixels = randomPixels(W, H, 2);
    const dir = mkdtempSync(join(tmpdir(), 'armstack-infer-'));
    const modelPath = join(dir, 'localizer.onnx');
    writeFileSync(modelPath, buildStandInVisionModel({ frameWidth: W, frameHeight: H }));
    const localizer = await ObjectLocalizer.create({ modelPath });
    rmSync(dir, { recursive: true, force: true });
    new TsPreprocessor().run({ width: W, height: H, encoding: 'rgb8', data: pixels }, localizer.input);
    const target = (await localizer.run()).find((d) => d.classIndex === 0);
    assert.ok(target, 'the stand-in always detects its first class');
    const expected = [target.xM, target.yM, target.yawRad];
    await localizer.release();
    for (const [encoding, data] of [['rgb8', pixels], ['bgr8', swapRb(pixels)]] as const) {
      worker.frameSlot().set(data);
      const r = await worker.waitResult(worker.submit(1n, 1, encoding, READY, aux()), 10_000);
      assert.ok(r?.ok);
      assert.equal(r.features[3], 1, 'object_seen');
      for (let i = 0; i < 3; i++) assert.ok(Math.abs(r.features[i] - expected[i]) < 1e-5, `${encoding} feature ${i}: ${r.features[i]} vs ${expected[i]}`);
    }
  });

  it('the newest frame wins: frames submitted while the worker is busy replace each other and count as dropped', async () => {
    const before = worker.stats;
    worker.injectStall(300);
    worker.frameSlot().fill(1);
    const first = worker.submit(1n, 100, 'rgb8', READY, aux());
    // Let the worker take the first one (then it stalls), and queue three more behind it.
    while (worker.stats.taken === before.taken) await new Promise((r) => setTimeout(r, 1));
    const later = [2, 3, 4].map((i) => worker.submit(BigInt(i), 100 + i, 'rgb8', READY, aux()));
    assert.equal(await worker.waitResult(later[2], 10), undefined, 'a bounded wait on a stalled worker returns undefined');
    const r1 = await worker.waitResult(first, 10_000);
    assert.ok(r1);
    const r2 = await worker.waitResult(later[2], 10_000);
    assert.equal(r2?.requestSeq, later[2], 'after the stall the worker took the newest frame');
    assert.equal(r2?.frameSeq, 104);
    const s = worker.stats;
    assert.equal(s.dropped - before.dropped, 2, 'frames 2 and 3 were never run');
    assert.equal(s.completed - before.completed, 2);
  });

  it('WorkerPolicySource: a frame per tick becomes a chunk and a target; mismatches are refused up front', async () => {
    const camera = new FakeCamera('overhead', W, H);
    assert.throws(() => new WorkerPolicySource(worker, camera, { rateHz: 10 }), /trained at 30 fps but the control loop runs at 10 Hz/);
    assert.throws(() => new WorkerPolicySource(worker, new FakeCamera('small', 320, 240), { rateHz: 30 }), /camera 'small' is 320×240, the worker takes 640×480/);
    const source = new WorkerPolicySource(worker, camera, { rateHz: 30, maxWaitMs: 10_000 }, () => ({ binXM: 0.1, binYM: 0.5, targetClass: 0 }));
    const measured = Float64Array.from(READY);
    const state = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, name: [], position: measured, velocity: [], effort: [] };
    const tick = (index: number): TickInfo => ({ index, scheduledNs: 0n, startedNs: 0n, periodS: 1 / 30, nominalPeriodS: 1 / 30 });
    assert.equal(source.next(measured, state, tick(0)), null, 'nothing queued before the first chunk');
    await source.prepare(measured, state, tick(0));
    assert.equal(source.counters.staleFrames, 1, 'no frame yet: nothing submitted');
    camera.push(simLikePixels(W, H, 5), 42n);
    await source.prepare(measured, state, tick(1));
    assert.equal(source.counters.requests, 1);
    assert.equal(source.counters.chunks, 1, 'the chunk for this tick arrived within the wait');
    assert.equal(source.lastChunk.startTick, 1);
    assert.equal(source.lastChunk.frameStampNs, 42n);
    const target = source.next(measured, state, tick(1));
    assert.ok(target);
    for (let j = 0; j < READY.length; j++) assert.ok(Math.abs(target[j] - READY[j]) < 0.01);
    await source.prepare(measured, state, tick(2));
    assert.equal(source.counters.requests, 1, 'the queue still holds actions: no request');
  });

  it('refuses a state of the wrong length, naming the sizes', () => {
    assert.throws(() => worker.submit(1n, 1, 'rgb8', [0, 0], aux()), /InferenceWorker#submit: state has 2 values, the policy takes 7/);
  });
});

describe('InferenceWorker model files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-infer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads models from disk; with standIn: never a missing or broken file fails start() with the path named', async () => {
    const visionPath = join(dir, 'vision.onnx'), policyPath = join(dir, 'policy.onnx'), junkPath = join(dir, 'junk.onnx');
    writeFileSync(visionPath, buildStandInVisionModel({ frameWidth: W, frameHeight: H }));
    writeFileSync(policyPath, buildStandInPolicy(loadArmDescription(), { chunkSize: 8 }));
    writeFileSync(junkPath, 'not a model');
    const worker = await InferenceWorker.start({ camera, visionModelPath: visionPath, policyModelPath: policyPath, standIn: 'never' });
    try {
      assert.equal(worker.info.vision.standIn, false);
      assert.equal(worker.info.vision.source, visionPath);
      assert.equal(worker.info.policy.source, policyPath);
      assert.equal(worker.info.policy.chunkSize, 8);
      assert.deepEqual(worker.info.notes.filter((n) => /stand-in/.test(n)), [], 'no stand-in when both files load');
      worker.frameSlot().fill(128);
      assert.equal((await worker.waitResult(worker.submit(1n, 1, 'rgb8', READY), 10_000))?.ok, true);
    } finally {
      await worker.close();
    }
    await assert.rejects(
      InferenceWorker.start({ camera, visionModelPath: visionPath, policyModelPath: join(dir, 'missing.onnx'), standIn: 'never' }),
      /InferenceWorker#start: createPipeline: policy: .*missing\.onnx does not exist/,
    );
    await assert.rejects(
      InferenceWorker.start({ camera, visionModelPath: visionPath, policyModelPath: junkPath, standIn: 'never' }),
      /InferenceWorker#start: .*junk\.onnx.*not a readable ONNX model/,
    );
    await assert.rejects(
      InferenceWorker.start({ camera, standIn: 'always' }, { startTimeoutMs: 1 }),
      /InferenceWorker#start: models not loaded within 1 ms/,
    );
    await assert.rejects(
      InferenceWorker.start({ camera: { name: 'odd', width: 642, height: 480 }, visionModelPath: visionPath, standIn: 'if-missing' }),
      /does not reduce by one integer factor to the vision input 160×120/,
    );
  });
});
