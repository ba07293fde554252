// Text -> intent. Pure, never throws, and stop words win: any stop keyword anywhere means e-stop, unless the
// whole sentence is a rule that legitimately uses the word ("stop recording").

import { compilePattern, literalWords } from './pattern.js';
import type { PatternNode } from './pattern.js';
import { INTENT_GRAMMAR } from './grammar.js';
import type { IntentGrammar, IntentRule } from './grammar.js';
import { normalizeText } from './normalize.js';
import type { ParsedIntent, RejectIntent } from './intent.js';

/** Longer sentences are not commands; they are still scanned for stop words. */
export const MAX_COMMAND_WORDS = 24;

type Slots = Readonly<Record<string, string | number>>;

interface CompiledRule {
  rule: IntentRule;
  /** Every phrasing, for text. */
  node: PatternNode;
  /** The phrasings offered to the recognizer (without textOnly ones). */
  voiceNode: PatternNode;
  /** Uses a stop keyword, so a whole-sentence match must be tried before the stop scan. */
  overridesStop: boolean;
}

export interface CompiledGrammar {
  grammar: IntentGrammar;
  phrases: ReadonlyMap<string, PatternNode>;
  slots: ReadonlyMap<string, ReadonlyArray<{ value: string | number; node: PatternNode }>>;
  rules: readonly CompiledRule[];
  /** A whole sentence around a rule body: with courtesy words for text, bare for the voice grammar. */
  sentence: (body: PatternNode, mode?: 'text' | 'voice') => PatternNode;
  stopKeywords: ReadonlySet<string>;
}

/** Compiles and checks a grammar: unknown phrase or slot references throw, naming them. */
export function compileGrammar(grammar: IntentGrammar): CompiledGrammar {
  const phrases = new Map(Object.entries(grammar.phrases).map(([k, v]) => [k, compilePattern(v)]));
  const slots = new Map(
    Object.entries(grammar.slots).map(([table, def]) => [
      table,
      Object.entries(def.values).map(([value, src]) => ({
        value: def.numeric ? Number(value) : value,
        node: compilePattern(src),
      })),
    ]),
  );
  const check = (node: PatternNode, where: string): void => {
    if (node.kind === 'phrase' && !phrases.has(node.name)) throw new Error(`compileGrammar: ${where} uses unknown phrase $${node.name}`);
    if (node.kind === 'slot' && !slots.has(node.table)) throw new Error(`compileGrammar: ${where} uses unknown slot table {${node.table}}`);
    if (node.kind === 'seq') node.items.forEach((n) => check(n, where));
    if (node.kind === 'alt') node.options.forEach((n) => check(n, where));
    if (node.kind === 'opt') check(node.node, where);
  };
  const stopKeywords = new Set(grammar.stopKeywords);
  const rules = grammar.rules.map((rule) => {
    const voiceNode: PatternNode = { kind: 'alt', options: rule.patterns.map(compilePattern) };
    const node: PatternNode = { kind: 'alt', options: [...voiceNode.options, ...(rule.textOnly ?? []).map(compilePattern)] };
    check(node, `rule ${rule.intent}`);
    const words = allWords(node, phrases, slots);
    const overridesStop = rule.intent !== 'estop' && [...words].some((w) => stopKeywords.has(w));
    return { rule, node, voiceNode, overridesStop };
  });
  for (const [name, node] of phrases) check(node, `phrase $${name}`);
  const prefix = compilePattern(grammar.courtesy.prefix);
  const suffix = compilePattern(grammar.courtesy.suffix);
  check(prefix, 'courtesy prefix');
  check(suffix, 'courtesy suffix');
  const sentence = (body: PatternNode, mode: 'text' | 'voice' = 'text'): PatternNode =>
    mode === 'voice' ? body : { kind: 'seq', items: [{ kind: 'opt', node: prefix }, body, { kind: 'opt', node: suffix }] };
  return { grammar, phrases, slots, rules, sentence, stopKeywords };
}

/** Every word a node can produce, following phrases and slot tables. */
export function allWords(
  node: PatternNode,
  phrases: ReadonlyMap<string, PatternNode>,
  slots: CompiledGrammar['slots'],
  into: Set<string> = new Set(),
): Set<string> {
  literalWords(node, into);
  const visit = (n: PatternNode): void => {
    if (n.kind === 'phrase') allWords(phrases.get(n.name)!, phrases, slots, into);
    else if (n.kind === 'slot') for (const v of slots.get(n.table)!) allWords(v.node, phrases, slots, into);
    else if (n.kind === 'seq') n.items.forEach(visit);
    else if (n.kind === 'alt') n.options.forEach(visit);
    else if (n.kind === 'opt') visit(n.node);
  };
  visit(node);
  return into;
}

type Continue = (pos: number, slots: Slots) => Slots | undefined;

function matchNode(g: CompiledGrammar, node: PatternNode, tokens: readonly string[], pos: number, slots: Slots, k: Continue): Slots | undefined {
  switch (node.kind) {
    case 'word':
      return tokens[pos] === node.word ? k(pos + 1, slots) : undefined;
    case 'phrase':
      return matchNode(g, g.phrases.get(node.name)!, tokens, pos, slots, k);
    case 'slot':
      for (const { value, node: valueNode } of g.slots.get(node.table)!) {
        const r = matchNode(g, valueNode, tokens, pos, slots, (p, s) => k(p, { ...s, [node.field]: value }));
        if (r) return r;
      }
      return undefined;
    case 'seq': {
      const step = (i: number, p: number, s: Slots): Slots | undefined =>
        i === node.items.length ? k(p, s) : matchNode(g, node.items[i]!, tokens, p, s, (p2, s2) => step(i + 1, p2, s2));
      return step(0, pos, slots);
    }
    case 'alt':
      for (const option of node.options) {
        const r = matchNode(g, option, tokens, pos, slots, k);
        if (r) return r;
      }
      return undefined;
    case 'opt':
      return matchNode(g, node.node, tokens, pos, slots, k) ?? k(pos, slots);
  }
}

/** The slots of a whole-sentence match, or undefined. */
export function matchSentence(g: CompiledGrammar, body: PatternNode, tokens: readonly string[]): Slots | undefined {
  return matchNode(g, g.sentence(body), tokens, 0, {}, (p, s) => (p === tokens.length ? s : undefined));
}

function build(rule: IntentRule, slots: Slots): ParsedIntent {
  return { intent: rule.intent, ...rule.fixed, ...slots } as unknown as ParsedIntent;
}

function reject(reason: string): RejectIntent {
  return { intent: 'reject', reason };
}

let defaultGrammar: CompiledGrammar | undefined;
export function defaultCompiledGrammar(): CompiledGrammar {
  defaultGrammar ??= compileGrammar(INTENT_GRAMMAR);
  return defaultGrammar;
}

/** Parses already-normalised tokens (the recognizer's output is already grammar words). */
export function parseTokens(tokens: readonly string[], g: CompiledGrammar = defaultCompiledGrammar()): ParsedIntent {
  if (tokens.length === 0) return reject('empty input');
  const short = tokens.length <= MAX_COMMAND_WORDS;
  if (short) {
    for (const r of g.rules) {
      if (!r.overridesStop) continue;
      const slots = matchSentence(g, r.node, tokens);
      if (slots) return build(r.rule, slots);
    }
  }
  if (tokens.some((t) => g.stopKeywords.has(t))) return { intent: 'estop' };
  if (!short) return reject(`too long: ${tokens.length} words (a command has at most ${MAX_COMMAND_WORDS})`);
  for (const r of g.rules) {
    if (r.overridesStop) continue;
    const slots = matchSentence(g, r.node, tokens);
    if (slots) return build(r.rule, slots);
  }
  const shown = tokens.join(' ');
  return reject(`not understood: "${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}"`);
}

/** Parses operator text into an intent; anything not understood is a reject with its reason. */
export function parseIntent(text: string, g: CompiledGrammar = defaultCompiledGrammar()): ParsedIntent {
  if (typeof text !== 'string') return reject(`not text: got ${text === null ? 'null' : typeof text}`);
  return parseTokens(normalizeText(text), g);
}
