// What `armstack intent "text" [--json]` and `armstack intent --wav FILE... [--json]` print: one line per input.
// JSON lines are {"input", "text", "confidence", "intent"}; the plain form is for people at a terminal.

import { parseIntent } from '../intents/parse-intent.js';
import type { ParsedIntent } from '../intents/intent.js';
import { recognizeWav } from './recognize-wav.js';
import type { RecognizeWavOptions } from './recognize-wav.js';

export interface IntentLine {
  input: string;
  text: string;
  confidence: number;
  intent: ParsedIntent;
}

export interface IntentCommandOptions {
  json: boolean;
  /** Passed to recognizeWav for --wav inputs. */
  wav?: RecognizeWavOptions;
}

function describe(intent: ParsedIntent): string {
  const { intent: kind, ...fields } = intent;
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
  return [kind, ...rest].join(' ');
}

export function formatIntentLine(line: IntentLine, json: boolean): string {
  if (json) return JSON.stringify({ input: line.input, text: line.text, confidence: line.confidence, intent: line.intent });
  const heard = line.text === line.input ? '' : ` (heard "${line.text}", confidence ${line.confidence.toFixed(2)})`;
  return `${line.input}: ${describe(line.intent)}${heard}`;
}

/**
 * Parses each text and recognises each WAV, in order, printing one line per input. A WAV that cannot be read
 * throws (a UserError naming the file and what is wrong) after the lines before it were printed.
 */
export async function runIntentCommand(
  inputs: { texts: string[]; wavs: string[] },
  opts: IntentCommandOptions,
  out: (line: string) => void,
): Promise<void> {
  for (const text of inputs.texts) {
    out(formatIntentLine({ input: text, text, confidence: 1, intent: parseIntent(text) }, opts.json));
  }
  for (const path of inputs.wavs) {
    const r = await recognizeWav(path, opts.wav);
    out(formatIntentLine({ input: path, text: r.text, confidence: r.confidence, intent: r.intent }, opts.json));
  }
}
