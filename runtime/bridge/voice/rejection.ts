// Deciding whether what the grammar decoder heard was really a command. A grammar maps every sound onto some
// sentence, so each result is scored (REJECTION.md has the measurements behind these choices):
//   phone-loop  the default. A second decoder runs a free phone loop on the same audio; the grammar path's
//               acoustic score per frame, minus the phone loop's, is a log-likelihood ratio: near 0 when the
//               speech fits the grammar, far below when it was forced onto it. Noise fits both equally badly,
//               so the phone loop's phone rate also has to look like speech.
//   garbage     a loop of one-phone garbage words inside the grammar; a result through it is a reject.
//   none        every grammar result is accepted (confidence 1).

import { parseTokens } from '../intents/parse-intent.js';
import type { ParsedIntent } from '../intents/intent.js';
import { isFillerWord } from './decoder-output.js';
import type { UtteranceOutput } from './decoder-output.js';
import { GARBAGE_PREFIX } from './jsgf.js';

export type RejectionMode = 'phone-loop' | 'garbage' | 'none';

export interface RejectionConfig {
  mode: RejectionMode;
  /** Log-likelihood ratio per frame that maps to confidence 0.5 (phone-loop mode). */
  llrAtHalf: number;
  /** Ratio units per logistic unit: how quickly confidence moves around llrAtHalf. */
  llrScale: number;
  /** Commands below this confidence are rejected. */
  minConfidence: number;
  /**
   * E-stop is accepted down to this lower confidence: a missed stop is dangerous and a false stop is only a
   * nuisance, so the stop threshold trades false accepts for zero misses.
   */
  estopMinConfidence: number;
  /**
   * Shorter speech is rejected whatever its score: a click or the decoder's start-up transient can match a
   * one-word command ("no") with a good ratio.
   */
  minSpeechMs: number;
  /**
   * Phone-loop phones per second below which a result is not speech (beeps, hum, a noise burst: 1-5 per s;
   * speech: 6-20), and the lower floor used for e-stop.
   */
  minPhoneRatePerS: number;
  estopMinPhoneRatePerS: number;
}

/** Chosen on the voice evaluation's tuning set (REJECTION.md): llr -16 per frame is the 0.5 point. */
export const DEFAULT_REJECTION: RejectionConfig = {
  mode: 'phone-loop',
  llrAtHalf: -16,
  llrScale: 2,
  minConfidence: 0.5,
  estopMinConfidence: 0.2,
  minSpeechMs: 150,
  minPhoneRatePerS: 5.5,
  estopMinPhoneRatePerS: 3.5,
};

export interface Decision {
  /** The grammar words heard, fillers and garbage removed; '' when nothing matched. */
  text: string;
  intent: ParsedIntent;
  /** In [0, 1]. */
  confidence: number;
  /** Phone-loop log-likelihood ratio per frame, when scored. */
  llrPerFrame?: number;
  /** Phones per second the phone loop heard in the speech span, when scored. */
  phoneRatePerS?: number;
}

function sumAcoustic(u: UtteranceOutput): number {
  return (u.hypothesis?.segments ?? []).reduce((a, s) => a + s.acousticScore, 0);
}

/** (grammar acoustic score - phone-loop acoustic score) per frame of the grammar result, or undefined. */
export function phoneLoopLlr(grammar: UtteranceOutput, phoneLoop: UtteranceOutput | undefined): number | undefined {
  const segs = grammar.hypothesis?.segments ?? [];
  if (!phoneLoop?.hypothesis || segs.length === 0 || phoneLoop.frames !== grammar.frames) return undefined;
  const frames = segs[segs.length - 1]!.endFrame - segs[0]!.startFrame + 1;
  if (frames <= 0) return undefined;
  return (sumAcoustic(grammar) - sumAcoustic(phoneLoop)) / frames;
}

/** Phones per second of the phone loop inside the grammar result's speech span (speech has 8-15). */
export function phoneRate(grammar: UtteranceOutput, phoneLoop: UtteranceOutput | undefined): number | undefined {
  const speech = (grammar.hypothesis?.segments ?? []).filter((s) => !isFillerWord(s.word));
  const phones = (phoneLoop?.hypothesis?.segments ?? []).filter((s) => !isFillerWord(s.word));
  if (speech.length === 0 || !phoneLoop) return undefined;
  const start = speech[0]!.startFrame;
  const end = speech[speech.length - 1]!.endFrame;
  const inside = phones.filter((p) => p.startFrame >= start - 2 && p.endFrame <= end + 2).length;
  return inside / ((end - start + 1) / 100);
}

export function llrConfidence(llr: number, cfg: RejectionConfig): number {
  const c = 1 / (1 + Math.exp(-(llr - cfg.llrAtHalf) / cfg.llrScale));
  return Math.min(1, Math.max(0, c));
}

function words(u: UtteranceOutput): string[] {
  return (u.hypothesis?.segments.map((s) => s.word) ?? u.hypothesis?.text.split(/\s+/) ?? [])
    .filter((w) => w !== '' && !isFillerWord(w))
    .map((w) => w.replace(/\(\d+\)$/, ''));
}

const reject = (reason: string): ParsedIntent => ({ intent: 'reject', reason });

/** Turns one grammar-decoder utterance (and, in phone-loop mode, its phone-loop twin) into an intent. */
export function decide(grammar: UtteranceOutput, phoneLoop: UtteranceOutput | undefined, cfg: RejectionConfig): Decision {
  const heard = words(grammar);
  const garbage = heard.filter((w) => w.startsWith(GARBAGE_PREFIX));
  const text = heard.filter((w) => !w.startsWith(GARBAGE_PREFIX)).join(' ');
  if (!grammar.hypothesis || heard.length === 0) {
    return { text: '', intent: reject('no command heard (the speech matched no grammar sentence)'), confidence: 0 };
  }
  const speech = grammar.hypothesis.segments.filter((s) => !isFillerWord(s.word));
  const speechMs = speech.length ? (speech[speech.length - 1]!.endFrame - speech[0]!.startFrame + 1) * 10 : 0;
  if (speechMs < cfg.minSpeechMs) {
    return { text, intent: reject(`too short: ${speechMs} ms of speech (a command takes at least ${cfg.minSpeechMs} ms)`), confidence: 0 };
  }
  const parsed = parseTokens(text.split(' ').filter((w) => w !== ''));
  if (cfg.mode === 'none') return { text, intent: parsed, confidence: parsed.intent === 'reject' ? 0 : 1 };
  if (cfg.mode === 'garbage') {
    if (garbage.length > 0) return { text, intent: reject('out of grammar (the garbage path won)'), confidence: 0 };
    const posteriors = speech.map((s) => s.posterior);
    const confidence = posteriors.length ? Math.min(1, Math.max(0, Math.min(...posteriors))) : 0;
    return { text, intent: gate(parsed, confidence, cfg), confidence };
  }
  const llr = phoneLoopLlr(grammar, phoneLoop);
  if (llr === undefined) {
    // Unscored (phone loop missing or out of step): only a stop is trusted without a score.
    const intent = parsed.intent === 'estop' ? parsed : reject(`unscored: no phone-loop result for "${text}"`);
    return { text, intent, confidence: parsed.intent === 'estop' ? cfg.estopMinConfidence : 0 };
  }
  const confidence = llrConfidence(llr, cfg);
  const rate = phoneRate(grammar, phoneLoop) ?? 0;
  const minRate = parsed.intent === 'estop' ? cfg.estopMinPhoneRatePerS : cfg.minPhoneRatePerS;
  const intent = parsed.intent !== 'reject' && rate < minRate
    ? reject(`not speech-like: ${rate.toFixed(1)} phones/s < ${minRate} for ${parsed.intent}`)
    : gate(parsed, confidence, cfg);
  return { text, intent, confidence, llrPerFrame: llr, phoneRatePerS: rate };
}

function gate(parsed: ParsedIntent, confidence: number, cfg: RejectionConfig): ParsedIntent {
  if (parsed.intent === 'reject') return parsed;
  const min = parsed.intent === 'estop' ? cfg.estopMinConfidence : cfg.minConfidence;
  if (confidence >= min) return parsed;
  return reject(`low confidence ${confidence.toFixed(2)} < ${min} for ${parsed.intent}`);
}
