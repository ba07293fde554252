import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecoderOutputParser } from './decoder-output.js';
import type { Segment, UtteranceOutput } from './decoder-output.js';
import { DEFAULT_REJECTION, decide, llrConfidence, phoneLoopLlr } from './rejection.js';
import { SoundActivity } from './sound-activity.js';

// Captured from pocketsphinx_continuous 5prealpha (-backtrace yes, log merged into stdout), trimmed.
const LOG = `INFO: cmn_live.c(120): Update from < 41.00 -5.29 -0.12 >
INFO: fsg_search.c(853): 169 frames, 1536 HMMs (9/fr), 5408 senones (32/fr), 321 history entries (1/fr)

INFO: fsg_search.c(868): fsg 0.02 CPU 0.012 xRT
INFO: fsg_search.c(870): fsg 0.11 wall 0.062 xRT
INFO: pocketsphinx.c(1168): pick the red towel (-3771)
word                 start end   pprob ascr       lscr       lback
(NULL)               -1    -1    1.000 0          0          1
pick                 95    133   1.000 -1410      0          1
the(2)               134   146   1.000 -268       0          1
red                  147   172   1.000 -581       0          1
towel                173   216   1.000 -784       0          1
<sil>                217   263   1.000 -391       -337       1
pick the red towel
INFO: cmn_live.c(120): Update from < 45.43 -0.41 -5.71 >
INFO: fsg_search.c(853): 154 frames, 2030 HMMs (13/fr), 6908 senones (44/fr), 576 history entries (3/fr)

INFO: fsg_search.c(870): fsg 0.17 wall 0.111 xRT
ERROR: "fsg_search.c", line 940: Final result does not match the grammar in frame 154
INFO: cmn_live.c(120): Update from < 44.30 -1.53 -5.18 >
INFO: fsg_search.c(853): 0 frames, 0 HMMs (0/fr), 0 senones (0/fr), 1 history entries (0/fr)
`;

test('the decoder output parser yields one result per utterance, with or without a hypothesis', () => {
  const parser = new DecoderOutputParser();
  // Fed in awkward pieces, as pipes deliver it.
  const out: UtteranceOutput[] = [];
  for (let i = 0; i < LOG.length; i += 37) out.push(...parser.pushChunk(LOG.slice(i, i + 37)));
  const last = parser.flush();
  if (last) out.push(last);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.index, 0);
  assert.equal(out[0]!.frames, 169);
  assert.equal(out[0]!.hypothesis!.text, 'pick the red towel');
  assert.equal(out[0]!.hypothesis!.score, -3771);
  assert.deepEqual(out[0]!.hypothesis!.segments.map((s) => s.word), ['pick', 'the(2)', 'red', 'towel', '<sil>']);
  assert.deepEqual(out[1], { index: 1, frames: 154 });
});

function utt(index: number, words: Array<[string, number, number, number]>, frames = 300): UtteranceOutput {
  const segments: Segment[] = words.map(([word, startFrame, endFrame, acousticScore]) => ({
    word, startFrame, endFrame, acousticScore, posterior: 1, languageScore: 0,
  }));
  return { index, frames, hypothesis: { text: words.map((w) => w[0]).join(' '), score: 0, segments } };
}

/** A phone loop over [start, end] with `rate` phones per second and the given total acoustic score. */
function loop(index: number, start: number, end: number, total: number, rate = 12, frames = 300): UtteranceOutput {
  const n = Math.max(1, Math.round(((end - start + 1) / 100) * rate));
  const step = (end - start + 1) / n;
  return utt(index, Array.from({ length: n }, (_, i) => [`gbgaa`, Math.round(start + i * step), Math.round(start + (i + 1) * step) - 1, total / n]), frames);
}

test('the phone-loop ratio accepts speech that fits and rejects speech forced onto the grammar', () => {
  const heard = utt(0, [['<sil>', 0, 99, -500], ['pick', 100, 130, -1000], ['the', 131, 140, -300], ['towel', 141, 190, -900]]);
  const frames = 191;
  // Grammar total -2700; a phone loop 2 per frame better fits well, 30 per frame better does not.
  const good = decide(heard, loop(0, 0, 190, -2700 + 2 * frames), DEFAULT_REJECTION);
  assert.deepEqual(good.intent, { intent: 'pick', object: 'towel' });
  assert.equal(good.llrPerFrame, -2);
  assert.ok(good.confidence > 0.99);
  const bad = decide(heard, loop(0, 0, 190, -2700 + 30 * frames), DEFAULT_REJECTION);
  assert.equal(bad.intent.intent, 'reject');
  assert.match(bad.intent.intent === 'reject' ? bad.intent.reason : '', /low confidence 0\.00 < 0\.5 for pick/);
  assert.equal(bad.text, 'pick the towel');
});

test('e-stop is accepted at a lower confidence than other commands', () => {
  const stop = utt(0, [['stop', 100, 140, -1500]]);
  const llr = -18;
  const c = llrConfidence(llr, DEFAULT_REJECTION);
  assert.ok(c < DEFAULT_REJECTION.minConfidence && c >= DEFAULT_REJECTION.estopMinConfidence);
  const d = decide(stop, loop(0, 100, 140, -1500 - llr * 41), DEFAULT_REJECTION);
  assert.deepEqual(d.intent, { intent: 'estop' });
  const home = utt(0, [['go', 100, 120, -700], ['home', 121, 140, -800]]);
  assert.equal(decide(home, loop(0, 100, 140, -1500 - llr * 41), DEFAULT_REJECTION).intent.intent, 'reject');
});

test('clicks, noise-like results, missing results and missing scores are handled', () => {
  const click = decide(utt(0, [['no', 0, 5, -100]]), loop(0, 0, 5, -100), DEFAULT_REJECTION);
  assert.match(click.intent.intent === 'reject' ? click.intent.reason : '', /too short: 60 ms/);
  const hum = decide(utt(0, [['home', 100, 250, -3000]]), loop(0, 100, 250, -3000, 1.5), DEFAULT_REJECTION);
  assert.match(hum.intent.intent === 'reject' ? hum.intent.reason : '', /not speech-like: 1\.3 phones\/s < 5\.5 for home/);
  const nothing = decide({ index: 0, frames: 120 }, undefined, DEFAULT_REJECTION);
  assert.equal(nothing.intent.intent, 'reject');
  assert.equal(nothing.confidence, 0);
  // Without its phone-loop twin, only a stop is trusted.
  assert.equal(decide(utt(0, [['stop', 100, 140, -1500]]), undefined, DEFAULT_REJECTION).intent.intent, 'estop');
  assert.equal(decide(utt(0, [['go', 100, 120, -700], ['home', 121, 140, -800]]), undefined, DEFAULT_REJECTION).intent.intent, 'reject');
  // Decoders out of step (different frame counts) are not compared.
  assert.equal(phoneLoopLlr(utt(0, [['stop', 100, 140, -1500]], 300), loop(0, 100, 140, -1500, 12, 301)), undefined);
  for (const d of [click, hum, nothing]) assert.ok(d.confidence >= 0 && d.confidence <= 1);
});

test('sound activity measures sound without a pause and resets on a pause', () => {
  const activity = new SoundActivity();
  const quiet = Buffer.alloc(16000 * 2);
  for (let i = 0; i < quiet.length / 2; i++) quiet.writeInt16LE(((i * 7919) % 61) - 30, i * 2);
  const loud = Buffer.alloc(16000 * 2);
  for (let i = 0; i < loud.length / 2; i++) loud.writeInt16LE(Math.round(8000 * Math.sin(i * 0.2)), i * 2);
  assert.equal(activity.push(quiet), 0);
  activity.push(loud);
  const twoS = activity.push(loud);
  assert.ok(twoS >= 1900 && twoS <= 2000, `${twoS}`);
  assert.equal(activity.push(quiet), 0);
});
