import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIntentCommand } from './intent-cli.js';

test('text inputs print one JSON line each, rejects included', async () => {
  const lines: string[] = [];
  await runIntentCommand({ texts: ['Pick the red towel', 'what time is it'], wavs: [] }, { json: true }, (l) => lines.push(l));
  assert.deepEqual(lines.map((l) => JSON.parse(l)), [
    { input: 'Pick the red towel', text: 'Pick the red towel', confidence: 1, intent: { intent: 'pick', color: 'red', object: 'towel' } },
    { input: 'what time is it', text: 'what time is it', confidence: 1, intent: { intent: 'reject', reason: 'not understood: "what time is it"' } },
  ]);
});

test('plain output is one readable line per input', async () => {
  const lines: string[] = [];
  await runIntentCommand({ texts: ['put it in bin 2', 'stop'], wavs: [] }, { json: false }, (l) => lines.push(l));
  assert.deepEqual(lines, ['put it in bin 2: place bin=2', 'stop: estop']);
});

test('a file that is not a WAV fails naming the file, after earlier lines were printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-intent-cli-'));
  const bad = join(dir, 'bad.wav');
  writeFileSync(bad, 'not audio');
  const lines: string[] = [];
  await assert.rejects(runIntentCommand({ texts: ['halt'], wavs: [bad] }, { json: true }, (l) => lines.push(l)), /bad\.wav: not a WAV file/);
  assert.equal(lines.length, 1);
  rmSync(dir, { recursive: true, force: true });
});
