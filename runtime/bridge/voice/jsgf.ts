// The recognizer's grammar and dictionary, generated from the intent grammar so speech can only produce sentences
// the text parser understands. The dictionary is cut down to the grammar's words (a 130k-word dictionary slows
// loading and is not needed).

import { readFileSync } from 'node:fs';
import { allWords, defaultCompiledGrammar } from '../intents/parse-intent.js';
import type { CompiledGrammar } from '../intents/parse-intent.js';
import type { PatternNode } from '../intents/pattern.js';
import { UserError } from '../../errors.js';

export const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxModel {
  /** Acoustic model directory (-hmm). */
  hmmDir: string;
  /** The model's full pronunciation dictionary, cut down per grammar. */
  cmudictPath: string;
  /** General English language model, for the second-pass comparison. */
  lmPath: string;
}

export function defaultModel(dir = process.env.ARMSTACK_POCKETSPHINX_MODEL ?? DEFAULT_MODEL_DIR): PocketsphinxModel {
  return { hmmDir: `${dir}/en-us`, cmudictPath: `${dir}/cmudict-en-us.dict`, lmPath: `${dir}/en-us.lm.bin` };
}

/** A garbage path (fsg.ts): a loop of one-phone words the decoder may take instead of a command. */
export interface GarbageConfig {
  /** Probability of entering the garbage loop instead of a command. */
  weight: number;
  /**
   * Transition probability of each garbage phone (not shared out among the phones): the penalty every garbage
   * phone pays, which sets how badly speech must fit the grammar before the garbage path wins.
   */
  phoneProb: number;
  /** Phones of the acoustic model used as one-phone garbage words. */
  phones: readonly string[];
}

/** Prefix of garbage words in hypotheses; nothing in the intent grammar starts with it. */
export const GARBAGE_PREFIX = 'gbg';

/** The 39 CMU phones of the en-us model (no SIL). */
export const CMU_PHONES = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH', 'IY', 'JH',
  'K', 'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y', 'Z', 'ZH',
] as const;

const ruleName = (prefix: string, name: string): string => `<${prefix}_${name}>`;

function expr(node: PatternNode, nested: boolean): string {
  switch (node.kind) {
    case 'word': return node.word;
    case 'phrase': return ruleName('p', node.name);
    case 'slot': return ruleName('s', node.table);
    case 'opt': return `[${expr(node.node, false)}]`;
    case 'seq': return node.items.map((n) => expr(n, true)).join(' ');
    case 'alt': {
      const body = node.options.map((n) => expr(n, false)).join(' | ');
      return nested ? `(${body})` : body;
    }
  }
}

/**
 * The JSGF grammar text. Its public rule <command> accepts exactly the voice sentences of the intent grammar
 * (rules without courtesy words). No weights: pocketsphinx 5prealpha ignores JSGF alternative weights.
 */
export function generateJsgf(g: CompiledGrammar = defaultCompiledGrammar()): string {
  const counts = new Map<string, number>();
  const refs: string[] = [];
  const bodies: string[] = [];
  for (const r of g.rules) {
    const n = counts.get(r.rule.intent) ?? 0;
    counts.set(r.rule.intent, n + 1);
    const name = ruleName('r', n === 0 ? r.rule.intent : `${r.rule.intent}_${n}`);
    refs.push(name);
    bodies.push(`${name} = ${expr(g.sentence(r.voiceNode, 'voice'), false)};`);
  }
  const lines = ['#JSGF V1.0;', 'grammar armstack;', '', `public <command> = ${refs.join(' | ')};`];
  lines.push(...bodies);
  const used = new Set<string>();
  for (const r of g.rules) referencedNames(r.voiceNode, g, used);
  for (const [name, node] of g.phrases) if (used.has(`p_${name}`)) lines.push(`${ruleName('p', name)} = ${expr(node, false)};`);
  for (const [table, values] of g.slots) {
    if (used.has(`s_${table}`)) lines.push(`${ruleName('s', table)} = ${values.map((v) => expr(v.node, true)).join(' | ')};`);
  }
  return `${lines.join('\n')}\n`;
}

/** Names of the phrase (p_) and slot (s_) rules a node needs, transitively. */
function referencedNames(node: PatternNode, g: CompiledGrammar, into: Set<string>): void {
  switch (node.kind) {
    case 'phrase':
      if (!into.has(`p_${node.name}`)) {
        into.add(`p_${node.name}`);
        referencedNames(g.phrases.get(node.name)!, g, into);
      }
      break;
    case 'slot':
      if (!into.has(`s_${node.table}`)) {
        into.add(`s_${node.table}`);
        for (const v of g.slots.get(node.table)!) referencedNames(v.node, g, into);
      }
      break;
    case 'seq': node.items.forEach((n) => referencedNames(n, g, into)); break;
    case 'alt': node.options.forEach((n) => referencedNames(n, g, into)); break;
    case 'opt': referencedNames(node.node, g, into); break;
    case 'word': break;
  }
}

export function garbageWord(phone: string): string {
  return `${GARBAGE_PREFIX}${phone.toLowerCase()}`;
}

/** Every word the recognizer may output for this grammar. */
export function grammarWords(g: CompiledGrammar = defaultCompiledGrammar()): string[] {
  const words = new Set<string>();
  for (const r of g.rules) allWords(r.voiceNode, g.phrases, g.slots, words);
  return [...words].sort();
}

const cmudictCache = new Map<string, Map<string, string[]>>();

function loadCmudict(path: string, wanted: ReadonlySet<string>): Map<string, string[]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the pronunciation dictionary ${path} (${(err as Error).message}); ` +
      'install pocketsphinx-en-us or set ARMSTACK_POCKETSPHINX_MODEL');
  }
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const head = line.slice(0, space);
    const paren = head.indexOf('(');
    const word = paren > 0 ? head.slice(0, paren) : head;
    if (!wanted.has(word)) continue;
    const list = found.get(word) ?? [];
    list.push(line.slice(space + 1).trim());
    found.set(word, list);
  }
  return found;
}

/**
 * A dictionary holding only `words` (with their alternate pronunciations) in cmudict format, plus garbage
 * words when asked. Throws naming every word the model cannot pronounce.
 */
export function generateDictionary(words: readonly string[], cmudictPath: string, garbage?: GarbageConfig): string {
  const wanted = new Set(words);
  const key = `${cmudictPath}\n${[...wanted].sort().join(' ')}`;
  let prons = cmudictCache.get(key);
  if (!prons) {
    prons = loadCmudict(cmudictPath, wanted);
    cmudictCache.set(key, prons);
  }
  const missing = words.filter((w) => !prons.has(w));
  if (missing.length > 0) {
    throw new Error(`generateDictionary: no pronunciation in ${cmudictPath} for ${missing.map((w) => `"${w}"`).join(', ')}; ` +
      'change the intent grammar or add the words');
  }
  const lines: string[] = [];
  for (const w of [...wanted].sort()) {
    prons.get(w)!.forEach((p, i) => lines.push(`${i === 0 ? w : `${w}(${i + 1})`} ${p}`));
  }
  if (garbage) for (const phone of garbage.phones) lines.push(`${garbageWord(phone)} ${phone}`);
  return `${lines.join('\n')}\n`;
}
