import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildCases, evaluateVoice } from './voice-eval.js';

const missing = ['pocketsphinx_continuous', 'espeak-ng', 'sox'].filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
const skip = missing.length > 0 && !process.env.CI ? `missing ${missing.join(', ')}` : false;

test('the evaluation set covers every group, thinned evenly and reproducibly', () => {
  const full = buildCases({ voices: ['en-us', 'en-gb'], speedsWpm: [140, 175], maxUtterances: 10_000, seed: 1 });
  const groups = new Set(full.map((c) => c.group));
  assert.deepEqual([...groups].sort(), ['command', 'noise', 'oog-held-out', 'oog-tuning', 'stop']);
  const thin = buildCases({ voices: ['en-us', 'en-gb'], speedsWpm: [140, 175], maxUtterances: 100, seed: 1 });
  assert.equal(thin.length, 100);
  assert.deepEqual(thin, buildCases({ voices: ['en-us', 'en-gb'], speedsWpm: [140, 175], maxUtterances: 100, seed: 1 }));
  for (const g of groups) assert.ok(thin.some((c) => c.group === g), `${g} kept`);
  assert.ok(thin.some((c) => c.voice === 'en-gb' && c.speedWpm === 175));
});

test('a small evaluation runs end to end and reports rates in [0, 1]', { skip }, async () => {
  const r = await evaluateVoice({ voices: ['en-us'], speedsWpm: [160], maxUtterances: 12, parallel: 2, progress: undefined });
  assert.equal(r.utterances, 12);
  assert.equal(r.outcomes.length, 12);
  for (const k of ['intentAccuracy', 'stopWordMissRate', 'falseAcceptRate', 'falseAcceptRateNoise', 'falseStopRate'] as const) {
    assert.ok(r[k] >= 0 && r[k] <= 1, `${k} = ${r[k]}`);
  }
  assert.ok(r.perUtteranceMsP50 > 0 && r.perUtteranceMsP95 >= r.perUtteranceMsP50);
  for (const o of r.outcomes) assert.ok(o.confidence >= 0 && o.confidence <= 1);
  // en-us is the voice the model hears best: a broken pipeline shows up here first.
  assert.ok(r.intentAccuracy >= 0.7, `accuracy ${r.intentAccuracy}: ${JSON.stringify(r.errors.map((e) => [e.text, e.heard]))}`);
});
