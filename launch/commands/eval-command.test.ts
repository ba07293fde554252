// `armstack eval` through the CLI module (commander parses the flags), in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadArmDescription } from '../../runtime/robot/index.js';
import { buildTinyPolicy, tinyPolicySpec } from '../../policies/testing/tiny-policy-model.js';
import { registerEvalCommand } from './eval-command.js';
import type { EvalSummary } from '../eval.js';

async function evalCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const program = new Command('armstack').exitOverride().configureOutput({ writeErr: (s) => { stderr += s; }, writeOut: (s) => { stdout += s; } });
  registerEvalCommand(program, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  await program.parseAsync(['node', 'armstack', 'eval', ...args]);
  return { stdout, stderr };
}

test('eval --policy scripted --episodes 3 --json: the expert places every target box, one JSON line', async () => {
  const { stdout, stderr } = await evalCli(['--policy', 'scripted', '--episodes', '3', '--seed', '1', '--json']);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const s = JSON.parse(lines[0]) as EvalSummary;
  assert.equal(s.episodes, 3);
  assert.equal(s.successes, 3);
  assert.equal(s.successRate, 1);
  assert.equal(s.safetyRejects, 0);
  assert.ok(s.meanEpisodeTimeS > 3 && s.meanEpisodeTimeS < 30, `mean episode ${s.meanEpisodeTimeS} s`);
  assert.match(stderr, /\r\[#{30}\] 3\/3 episodes, 3 successes/);
});

test('eval refuses bad flags and a missing policy file', async () => {
  await assert.rejects(evalCli(['--policy', 'scripted', '--episodes', '0']), /expected an integer in \[1, 100000\]/);
  await assert.rejects(evalCli(['--policy', 'scripted', '--features', 'lidar']), /Allowed choices are vision, oracle/);
  await assert.rejects(evalCli(['--policy', '/nonexistent/policy.onnx', '--episodes', '1']), /cannot read policy \/nonexistent\/policy\.onnx/);
});

test('eval runs an ONNX policy through the same pipeline (oracle features), counting what the safety filter did', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-eval-'));
  try {
    const path = join(dir, 'tiny.onnx');
    writeFileSync(path, buildTinyPolicy(tinyPolicySpec(loadArmDescription().commandJointNames)));
    const { stdout } = await evalCli(['--policy', path, '--episodes', '2', '--features', 'oracle', '--time-limit', '1', '--json']);
    const s = JSON.parse(stdout) as EvalSummary;
    assert.equal(s.features, 'oracle');
    assert.equal(s.episodes, 2);
    assert.equal(s.successes, 0, 'a random tiny model places nothing');
    assert.ok(s.meanEpisodeTimeS >= 1);
    assert.equal(s.failures.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
