// The voice evaluation: synthesise operator speech with espeak-ng (several voices and speeds, quiet room noise,
// a noise lead-in like a live microphone), stream it through PocketsphinxRecognizer, compare intents.
// In-grammar commands measure accuracy and stop misses; out-of-grammar sentences measure false accepts.

import { isDeepStrictEqual } from 'node:util';
import type { ParsedIntent } from '../intents/intent.js';
import { COMMAND_SENTENCES, NOISE_SOUNDS, OUT_OF_GRAMMAR_HELD_OUT, OUT_OF_GRAMMAR_TUNING, STOP_SENTENCES } from './eval-sentences.js';
import type { EvalSentence } from './eval-sentences.js';
import { chooseTranscript } from './recognize-wav.js';
import { PocketsphinxRecognizer } from './recognizer.js';
import type { PocketsphinxRecognizerConfig, Transcript } from './recognizer.js';
import { mixWithNoise, seededRandom, synthesizeSound, synthesizeSpeech } from './tts.js';

export interface VoiceEvalOptions {
  /** espeak-ng voices (`espeak-ng --voices=en`). */
  voices: string[];
  speedsWpm: number[];
  /** Room noise RMS in PCM16 units, mixed under everything. */
  noiseRms: number;
  /** Noise before and after each utterance. */
  leadMs: number;
  tailMs: number;
  /** Recognizers run side by side. */
  parallel: number;
  /** Cap on utterances; the set is thinned evenly (stop and out-of-grammar sentences kept in proportion). */
  maxUtterances: number;
  recognizer: Partial<PocketsphinxRecognizerConfig>;
  seed: number;
  /** Progress lines go here (stderr by default); undefined for silence. */
  progress: ((line: string) => void) | undefined;
  /** Wait this long after an utterance's last transcript before the next utterance. */
  settleMs: number;
}

export const DEFAULT_VOICE_EVAL: VoiceEvalOptions = {
  voices: ['en-us', 'en-gb', 'en-us-nyc', 'en-gb-x-rp'],
  speedsWpm: [140, 175],
  noiseRms: 60,
  leadMs: 1200,
  tailMs: 800,
  parallel: 2,
  maxUtterances: 400,
  recognizer: {},
  seed: 1,
  progress: (line) => process.stderr.write(`${line}\n`),
  settleMs: 150,
};

export type EvalGroup = 'command' | 'stop' | 'oog-tuning' | 'oog-held-out' | 'noise';

export interface EvalCase extends EvalSentence {
  group: EvalGroup;
  voice: string;
  speedWpm: number;
}

export interface EvalOutcome extends EvalCase {
  heard: string;
  got: ParsedIntent;
  confidence: number;
  correct: boolean;
  /** Wall time from the last byte of the utterance written to its transcript. */
  decodeMs: number;
  /** Every transcript of the utterance, for re-tuning thresholds offline. */
  transcripts: Array<Pick<Transcript, 'text' | 'confidence' | 'llrPerFrame' | 'phoneRatePerS'> & { intent: ParsedIntent }>;
}

export interface VoiceEvalResult {
  utterances: number;
  inGrammar: number;
  outOfGrammar: number;
  /** In-grammar utterances (stop ones included) whose intent came out exactly right. */
  intentAccuracy: number;
  /** Stop utterances that did not come out as estop. Must be 0. */
  stopWordMissRate: number;
  /** Out-of-grammar sentences that came out as any command (tuning and held-out sentences). */
  falseAcceptRate: number;
  /** Non-speech sounds (beeps, clatter, hum...) that came out as any command. */
  falseAcceptRateNoise: number;
  /** The same on sentences never used to tune the rejection. */
  falseAcceptRateHeldOut: number;
  /** Utterances that were not stops but came out as estop (the safe error). */
  falseStopRate: number;
  perUtteranceMsP50: number;
  perUtteranceMsP95: number;
  byVoice: Record<string, { intentAccuracy: number; falseAcceptRate: number; utterances: number }>;
  errors: EvalOutcome[];
  /** Every utterance, errors included. */
  outcomes: EvalOutcome[];
  wallMs: number;
  options: Omit<VoiceEvalOptions, 'progress'>;
}

export function buildCases(opts: Pick<VoiceEvalOptions, 'voices' | 'speedsWpm' | 'maxUtterances' | 'seed'>): EvalCase[] {
  const groups: Array<[EvalGroup, readonly EvalSentence[]]> = [
    ['stop', STOP_SENTENCES], ['command', COMMAND_SENTENCES],
    ['oog-tuning', OUT_OF_GRAMMAR_TUNING], ['oog-held-out', OUT_OF_GRAMMAR_HELD_OUT], ['noise', NOISE_SOUNDS],
  ];
  const all: EvalCase[] = [];
  for (const voice of opts.voices) {
    for (const speedWpm of opts.speedsWpm) {
      for (const [group, sentences] of groups) for (const s of sentences) all.push({ ...s, group, voice, speedWpm });
    }
  }
  if (all.length <= opts.maxUtterances) return all;
  // Evenly thinned with a seeded offset, so every group and voice keeps its share.
  const step = all.length / opts.maxUtterances;
  const offset = seededRandom(opts.seed)() * step;
  return Array.from({ length: opts.maxUtterances }, (_, i) => all[Math.floor(offset + i * step)]!);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))]!;
}

function isCorrect(expected: ParsedIntent, got: ParsedIntent): boolean {
  if (expected.intent === 'reject') return got.intent === 'reject';
  return isDeepStrictEqual(got, expected);
}

const CHUNK_BYTES = 3200;

/** Runs one shard of cases through one recognizer, one utterance at a time. */
async function runShard(cases: Array<{ c: EvalCase; pcm: Buffer }>, opts: VoiceEvalOptions, onDone: (o: EvalOutcome) => void): Promise<void> {
  const rec = await PocketsphinxRecognizer.create(opts.recognizer);
  let pending: Transcript[] = [];
  let lastArrival = 0;
  let wake: (() => void) | undefined;
  rec.on('transcript', (t) => {
    pending.push(t);
    lastArrival = performance.now();
    wake?.();
  });
  rec.on('problem', (e) => opts.progress?.(`voice-eval: ${e.message}`));
  const wait = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(() => { wake = undefined; resolve(); }, ms);
    wake = () => { clearTimeout(timer); wake = undefined; resolve(); };
  });
  try {
    // Voice detection fires once on the first frames of a stream; let that pass before the first case.
    const warmUp = mixWithNoise(Buffer.alloc(0), { noiseRms: opts.noiseRms, leadMs: 1500, tailMs: 0, seed: opts.seed });
    for (let o = 0; o < warmUp.length; o += CHUNK_BYTES) rec.write(warmUp.subarray(o, o + CHUNK_BYTES));
    await wait(1000);
    for (const { c, pcm } of cases) {
      pending = [];
      const caseStartMs = rec.audioMs;
      for (let o = 0; o < pcm.length; o += CHUNK_BYTES) rec.write(pcm.subarray(o, o + CHUNK_BYTES));
      const written = performance.now();
      // The first transcript comes once both decoders have worked through the audio; then a short settle for a
      // second one when voice detection split the utterance.
      const audioMs = pcm.length / 32;
      const deadline = written + 3000 + audioMs;
      // A late transcript of the previous case is not this case's.
      const stale = (): void => { pending = pending.filter((t) => t.speechEndMs > caseStartMs - 500); };
      while (pending.length === 0 && performance.now() < deadline) {
        await wait(deadline - performance.now());
        stale();
      }
      let lastCount = -1;
      while (pending.length !== lastCount) {
        lastCount = pending.length;
        await wait(opts.settleMs);
        stale();
      }
      const decodeMs = pending.length ? lastArrival - written : 3000 + audioMs;
      const chosen = chooseTranscript(pending);
      onDone({ ...c, heard: pending.map((t) => t.text).join(' / '), got: chosen.intent, confidence: chosen.confidence,
        correct: isCorrect(c.expected, chosen.intent), decodeMs,
        transcripts: pending.map((t) => ({
          text: t.text, confidence: t.confidence, llrPerFrame: t.llrPerFrame, phoneRatePerS: t.phoneRatePerS, intent: t.intent,
        })) });
    }
  } finally {
    await rec.close();
  }
}

export async function evaluateVoice(options: Partial<VoiceEvalOptions> = {}): Promise<VoiceEvalResult> {
  const opts: VoiceEvalOptions = { ...DEFAULT_VOICE_EVAL, ...options };
  const started = performance.now();
  const cases = buildCases(opts);
  const progress = opts.progress;
  progress?.(`voice-eval: synthesising ${cases.length} utterances (${opts.voices.join(', ')} at ${opts.speedsWpm.join('/')} wpm)`);
  const audio: Array<{ c: EvalCase; pcm: Buffer }> = new Array(cases.length);
  let next = 0;
  const synthWorker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      const speech = c.sound
        ? synthesizeSound(c.sound, opts.seed * 7919 + i)
        : await synthesizeSpeech({ text: c.text, voice: c.voice, speedWpm: c.speedWpm });
      audio[i] = { c, pcm: mixWithNoise(speech, { noiseRms: opts.noiseRms, leadMs: opts.leadMs, tailMs: opts.tailMs, seed: opts.seed * 100003 + i }) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, synthWorker));

  const outcomes: EvalOutcome[] = [];
  const shards = Array.from({ length: Math.max(1, opts.parallel) }, (_, s) => audio.filter((_a, i) => i % opts.parallel === s));
  let reported = 0;
  await Promise.all(shards.map((shard) => runShard(shard, opts, (o) => {
    outcomes.push(o);
    const pct = Math.floor((outcomes.length / cases.length) * 10);
    if (pct > reported) {
      reported = pct;
      progress?.(`voice-eval: ${outcomes.length}/${cases.length} utterances recognised`);
    }
  })));
  return summarise(outcomes, opts, performance.now() - started);
}

export function summarise(outcomes: readonly EvalOutcome[], opts: VoiceEvalOptions, wallMs: number): VoiceEvalResult {
  const inGrammar = outcomes.filter((o) => o.expected.intent !== 'reject');
  const oog = outcomes.filter((o) => o.group === 'oog-tuning' || o.group === 'oog-held-out');
  const noise = outcomes.filter((o) => o.group === 'noise');
  const heldOut = oog.filter((o) => o.group === 'oog-held-out');
  const stops = outcomes.filter((o) => o.group === 'stop');
  const notStops = outcomes.filter((o) => o.expected.intent !== 'estop');
  const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d);
  const byVoice: VoiceEvalResult['byVoice'] = {};
  for (const voice of opts.voices) {
    const mine = outcomes.filter((o) => o.voice === voice);
    const ig = mine.filter((o) => o.expected.intent !== 'reject');
    const og = mine.filter((o) => o.group === 'oog-tuning' || o.group === 'oog-held-out');
    byVoice[voice] = {
      intentAccuracy: rate(ig.filter((o) => o.correct).length, ig.length),
      falseAcceptRate: rate(og.filter((o) => !o.correct).length, og.length),
      utterances: mine.length,
    };
  }
  const { progress: _progress, ...rest } = opts;
  return {
    utterances: outcomes.length,
    inGrammar: inGrammar.length,
    outOfGrammar: oog.length,
    intentAccuracy: rate(inGrammar.filter((o) => o.correct).length, inGrammar.length),
    stopWordMissRate: rate(stops.filter((o) => o.got.intent !== 'estop').length, stops.length),
    falseAcceptRate: rate(oog.filter((o) => o.got.intent !== 'reject').length, oog.length),
    falseAcceptRateNoise: rate(noise.filter((o) => o.got.intent !== 'reject').length, noise.length),
    falseAcceptRateHeldOut: rate(heldOut.filter((o) => o.got.intent !== 'reject').length, heldOut.length),
    falseStopRate: rate(notStops.filter((o) => o.got.intent === 'estop').length, notStops.length),
    perUtteranceMsP50: percentile(outcomes.map((o) => o.decodeMs), 0.5),
    perUtteranceMsP95: percentile(outcomes.map((o) => o.decodeMs), 0.95),
    byVoice,
    errors: outcomes.filter((o) => !o.correct),
    outcomes: [...outcomes],
    wallMs,
    options: rest,
  };
}
