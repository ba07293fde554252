// One-shot recognition of a WAV file: the recognizer is started, fed the file, and ended. Start-up costs a few
// hundred milliseconds, so streams should use PocketsphinxRecognizer directly.

import { UserError } from '../../errors.js';
import type { ParsedIntent } from '../intents/intent.js';
import { PocketsphinxRecognizer } from './recognizer.js';
import type { PocketsphinxRecognizerConfig, Transcript } from './recognizer.js';
import { mixWithNoise } from './tts.js';
import { RECOGNIZER_SAMPLE_RATE_HZ, readWavAsPcm16 } from './wav.js';

export interface RecognizeWavOptions {
  recognizer?: Partial<PocketsphinxRecognizerConfig>;
  /** Longer files are refused: this is for commands, not recordings. */
  maxDurationMs?: number;
  soxPath?: string;
  /** Noise added around (and under) the file; see DEFAULT_WAV_PADDING. */
  padding?: WavPadding;
  /**
   * Feed the file this many times and keep only the last pass's transcripts. A fresh decoder's cepstral mean
   * starts from the model's default, which suits the first utterance badly; a second pass hears the file with
   * the mean adapted to it.
   */
  passes?: number;
}

export interface WavPadding {
  leadMs: number;
  tailMs: number;
  /** RMS of the added noise, at least the file's own quietest level. */
  minNoiseRms: number;
}

/**
 * Voice detection needs a noise floor before the speech and a pause after it, and a fresh decoder needs a
 * moment to settle (RECIPES.md: 1.5 s of noise before the speech helps). The noise matches the file's own
 * background level, so the recording's start is not heard as a sudden sound.
 */
export const DEFAULT_WAV_PADDING: WavPadding = { leadMs: 1500, tailMs: 800, minNoiseRms: 40 };

export interface WavRecognition {
  input: string;
  transcripts: Transcript[];
  /** The transcript that decides: any accepted e-stop, else the most confident command, else the first reject. */
  text: string;
  intent: ParsedIntent;
  confidence: number;
}

export const DEFAULT_MAX_WAV_MS = 60_000;
export const DEFAULT_WAV_PASSES = 2;
const CHUNK_BYTES = 3200;

/** RMS of the quietest tenth of the file's 10 ms frames: its background noise. */
export function backgroundRms(pcm: Buffer): number {
  const frame = 160;
  const rms: number[] = [];
  for (let o = 0; o + frame * 2 <= pcm.length; o += frame * 2) {
    let e = 0;
    for (let i = 0; i < frame; i++) {
      const v = pcm.readInt16LE(o + i * 2);
      e += v * v;
    }
    rms.push(Math.sqrt(e / frame));
  }
  if (rms.length === 0) return 0;
  rms.sort((a, b) => a - b);
  return rms[Math.floor(rms.length * 0.1)]!;
}

/** Summarises several transcripts into one answer, stop first. */
export function chooseTranscript(transcripts: readonly Transcript[]): Pick<WavRecognition, 'text' | 'intent' | 'confidence'> {
  const estop = transcripts.find((t) => t.intent.intent === 'estop');
  if (estop) return { text: estop.text, intent: estop.intent, confidence: estop.confidence };
  const accepted = transcripts.filter((t) => t.intent.intent !== 'reject').sort((a, b) => b.confidence - a.confidence);
  const best = accepted[0] ?? transcripts[0];
  if (!best) return { text: '', intent: { intent: 'reject', reason: 'no speech heard' }, confidence: 0 };
  return { text: best.text, intent: best.intent, confidence: best.confidence };
}

export async function recognizeWav(path: string, opts: RecognizeWavOptions = {}): Promise<WavRecognition> {
  const pcm = await readWavAsPcm16(path, opts.soxPath === undefined ? {} : { soxPath: opts.soxPath });
  const durationMs = (pcm.length / 2 / RECOGNIZER_SAMPLE_RATE_HZ) * 1000;
  const maxMs = opts.maxDurationMs ?? DEFAULT_MAX_WAV_MS;
  if (durationMs > maxMs) {
    throw new UserError(`${path} is ${(durationMs / 1000).toFixed(1)} s long; recognizeWav takes at most ${maxMs / 1000} s ` +
      '(split the recording, or stream it through PocketsphinxRecognizer)');
  }
  const pad = opts.padding ?? DEFAULT_WAV_PADDING;
  const noiseRms = Math.max(pad.minNoiseRms, backgroundRms(pcm));
  const passes = Math.max(1, Math.floor(opts.passes ?? DEFAULT_WAV_PASSES));
  const once = mixWithNoise(pcm, { noiseRms, leadMs: 0, tailMs: pad.tailMs, seed: 2 });
  const lead = mixWithNoise(Buffer.alloc(0), { noiseRms, leadMs: pad.leadMs, tailMs: 0, seed: 1 });
  const padded = Buffer.concat([lead, ...Array.from({ length: passes }, () => once)]);
  const lastPassStartMs = (lead.length + (passes - 1) * once.length) / 2 / (RECOGNIZER_SAMPLE_RATE_HZ / 1000);
  const rec = await PocketsphinxRecognizer.create({
    ...opts.recognizer,
    // The whole file is written at once; the decoders take it at their own pace.
    maxBacklogMs: Math.max(opts.recognizer?.maxBacklogMs ?? 0, padded.length / 32 + 1000),
  });
  const transcripts: Transcript[] = [];
  const problems: Error[] = [];
  rec.on('transcript', (t) => {
    if (t.speechEndMs > lastPassStartMs) transcripts.push(t);
  });
  rec.on('problem', (e) => problems.push(e));
  try {
    for (let o = 0; o < padded.length; o += CHUNK_BYTES) rec.write(padded.subarray(o, o + CHUNK_BYTES));
    await rec.end();
  } finally {
    await rec.close();
  }
  const failure = problems.find((p) => /decoder (ended|died)/.test(p.message));
  if (failure && transcripts.length === 0) throw new Error(`recognizeWav ${path}: ${failure.message}`);
  return { input: path, transcripts, ...chooseTranscript(transcripts) };
}
