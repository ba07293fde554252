import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserError } from '../../runtime/errors.js';
import { OnnxModelBuilder } from '../../runtime/onnx/index.js';
import { OnnxSession } from './onnx-session.js';

let dir = '';
let modelPath = '';

/** y = relu(x · W) for x [batch, 3], W [3, 2]; metadata says hello. */
function writeModel(path: string): void {
  const b = new OnnxModelBuilder();
  b.input('x', ['batch', 3]);
  const w = b.initializer('w', [1, -1, 2, 0.5, -3, 1], [3, 2]);
  b.node('MatMul', ['x', w], ['xw']);
  b.node('Relu', ['xw'], ['y']);
  b.output('y', ['batch', 2]);
  b.metadata('greeting', 'hello');
  b.writeOnnx(path);
}

function recorder() {
  const lines: string[] = [];
  return { lines, logger: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) } };
}

describe('OnnxSession', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'armstack-session-'));
    modelPath = join(dir, 'tiny.onnx');
    writeModel(modelPath);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back along the provider preference to cpu, logging why each was skipped', async () => {
    const { lines, logger } = recorder();
    const s = await OnnxSession.create(modelPath, { providers: ['tensorrt', 'cuda', 'cpu'], logger });
    try {
      assert.equal(s.provider, 'cpu');
      assert.deepEqual(s.attempts.map((a) => [a.provider, a.ok]), [['tensorrt', false], ['cuda', false], ['cpu', true]]);
      for (const a of s.attempts.slice(0, 2)) assert.ok(a.reason && a.reason.length > 5, `${a.provider} has a reason`);
      assert.equal(lines.filter((l) => l.startsWith('warn')).length, 2);
      assert.match(lines.find((l) => l.includes('"tensorrt"'))!, /skipping|failed/);
      assert.match(lines.at(-1)!, /running on execution provider "cpu"/);
      assert.equal(s.info.metadata.greeting, 'hello');
      assert.deepEqual(s.inputs, [{ name: 'x', type: 'float32', dims: ['batch', 3] }]);
    } finally {
      await s.release();
    }
  });

  it('skips a provider this build does not have, naming it', async () => {
    const { lines, logger } = recorder();
    const s = await OnnxSession.create(modelPath, { providers: ['nnapi', 'cpu'], logger });
    await s.release();
    assert.match(lines[0], /skipping execution provider "nnapi": not in this onnxruntime-node build/);
  });

  it('refuses a missing or corrupt model file with a UserError naming the file', async () => {
    const missing = join(dir, 'nope.onnx');
    await assert.rejects(OnnxSession.create(missing), (e: unknown) => e instanceof UserError && e.message.includes(missing) && /ENOENT/.test(e.message));
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, Buffer.from('this is not a protobuf model'));
    await assert.rejects(OnnxSession.create(corrupt, { providers: ['cuda', 'cpu'] }),
      (e: unknown) => e instanceof UserError && e.message.includes(corrupt) && /not a loadable ONNX model/.test(e.message));
  });

  it('checks inputs and outputs against what the caller expects, naming the mismatch', async () => {
    await assert.rejects(OnnxSession.create(modelPath, { inputs: [{ name: 'image', type: 'float32' }] }),
      /has no input "image" \(its inputs: "x"\)/);
    await assert.rejects(OnnxSession.create(modelPath, { inputs: [{ name: 'x', dims: [null, 4] }] }),
      /input "x" has dims \[batch,3\], expected \[\?,4\]/);
    await assert.rejects(OnnxSession.create(modelPath, { outputs: [{ name: 'y', type: 'int64' }] }),
      /output "y" is float32, expected int64/);
    const ok = await OnnxSession.create(modelPath, { inputs: [{ name: 'x', type: 'float32', dims: [1, 3] }], outputs: [{ name: 'y', dims: [null, 2] }] });
    await ok.release();
  });

  it('fills preallocated outputs in place and refuses a wrong-shape one clearly', async () => {
    const s = await OnnxSession.create(modelPath);
    try {
      const out = s.allocateOutputs({ y: [2, 2] });
      const buffer = out.y.data as Float32Array;
      const x = new ort.Tensor('float32', new Float32Array([1, 0, 0, 0, 1, 1]), [2, 3]);
      await s.run({ x }, out);
      assert.equal(out.y.data, buffer, 'the preallocated tensor keeps its buffer');
      assert.deepEqual(Array.from(buffer), [1, 0, 0, 1.5], 'and onnxruntime wrote into it');
      const wrong = { y: new ort.Tensor('float32', new Float32Array(6), [2, 3]) };
      await assert.rejects(s.run({ x }, wrong), /OnnxSession#run: preallocated output "y" is float32 \[2,3\], .*tiny\.onnx produces float32 \[batch,2\]/);
      assert.throws(() => s.allocateOutputs(), /output "y" .* has dims \[batch,2\]; give its size in dynamicDims/);
    } finally {
      await s.release();
    }
  });
});
