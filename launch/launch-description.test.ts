import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLaunchDescription } from './launch-description.js';
import { UserError } from '../runtime/errors.js';

const shipped = readFileSync(new URL('./sim.launch.yaml', import.meta.url), 'utf8');

function errorOf(text: string): UserError {
  try {
    parseLaunchDescription(text, 'cell.launch.yaml');
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the launch description to be refused');
}

describe('launch description', () => {
  it('parses the shipped sim description', () => {
    const d = parseLaunchDescription(shipped, 'sim.launch.yaml');
    assert.equal(d.name, 'sim');
    assert.equal(d.loop.rateHz, 30);
    assert.equal(d.dashboard.port, 8080);
    assert.equal(d.graph.backend, 'inproc');
  });

  it('fills defaults for everything but version and name', () => {
    const d = parseLaunchDescription('version: 1\nname: tiny\n', 'tiny.yaml');
    assert.equal(d.sim.seed, 1);
    assert.equal(d.sim.boxes, 4);
    assert.equal(d.loop.rateHz, 30);
    assert.equal(d.safety.watchdogTimeoutMs, 100);
    assert.equal(d.dashboard.enabled, true);
  });

  it('names the file, the field and the line of a bad value', () => {
    const e = errorOf('version: 1\nname: x\nloop:\n  rateHz: -3\n');
    assert.match(e.message, /cell\.launch\.yaml: loop\.rateHz must be > 0 \(line 4\)/);
  });

  it('names an unknown field', () => {
    const e = errorOf('version: 1\nname: x\nsim:\n  seed: 2\n  bogus: true\n');
    assert.match(e.message, /sim\.bogus is not a known field/);
  });

  it('takes an ONNX policy section and names a bad execution provider', () => {
    const d = parseLaunchDescription('version: 1\nname: x\npolicy:\n  kind: onnx\n  executionProviders: [cuda, cpu]\n', 'p.launch.yaml');
    assert.equal(d.policy.kind, 'onnx');
    assert.deepEqual(d.policy.executionProviders, ['cuda', 'cpu']);
    assert.equal(d.policy.file, 'policies/assets/pick-place-policy.onnx');
    const e = errorOf('version: 1\nname: x\npolicy:\n  executionProviders: [rocm]\n');
    assert.match(e.message, /policy\.executionProviders\[0\] must be one of "tensorrt", "cuda", "webgpu", "cpu" \(line 4\)/);
  });

  it('names a missing required field and a wrong type', () => {
    assert.match(errorOf('name: x\n').message, /version is required/);
    assert.match(errorOf('version: 1\nname: x\nsim:\n  boxes: many\n').message, /sim\.boxes must be integer \(line 4\)/);
  });

  it('reports YAML syntax errors with the line', () => {
    assert.match(errorOf('version: 1\nname: [unclosed\n').message, /invalid YAML at line \d/);
    assert.match(errorOf('- just\n- a list\n').message, /must be a YAML mapping/);
    assert.match(errorOf('').message, /must be a YAML mapping/);
  });

  it('never throws anything but a UserError on random input', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = 'ab:- \n\t[]{}"\'#&*!|>%@`0123456789version name loop';
    for (let i = 0; i < 500; i++) {
      let text = '';
      const n = Math.floor(rand() * 200);
      for (let j = 0; j < n; j++) text += alphabet[Math.floor(rand() * alphabet.length)];
      try {
        parseLaunchDescription(text, 'fuzz.yaml');
      } catch (error) {
        assert.ok(error instanceof UserError, `input ${JSON.stringify(text)} threw ${String(error)}`);
      }
    }
  });
});
