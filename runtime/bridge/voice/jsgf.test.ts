import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTokens } from '../intents/parse-intent.js';
import { INTENT_KINDS } from '../intents/intent.js';
import { CMU_PHONES, defaultModel, generateDictionary, generateJsgf, grammarWords } from './jsgf.js';
import { generateFsg } from './fsg.js';
import { seededRandom } from './tts.js';

// An independent reader of the JSGF we emit, so the test checks the text pocketsphinx sees, not our AST.
type Exp = { k: 'word'; w: string } | { k: 'ref'; r: string } | { k: 'seq'; xs: Exp[] } | { k: 'alt'; xs: Exp[] } | { k: 'opt'; x: Exp };

function readJsgf(text: string): { rules: Map<string, Exp>; pub: string } {
  const rules = new Map<string, Exp>();
  let pub = '';
  for (const m of text.matchAll(/^(public\s+)?<([\w.]+)>\s*=\s*([^;]*);/gm)) {
    const tokens = m[3]!.match(/<[\w.]+>|[()[\]|]|[a-z'][a-z']*/g) ?? [];
    let i = 0;
    const alt = (): Exp => {
      const xs = [seq()];
      while (tokens[i] === '|') { i++; xs.push(seq()); }
      return xs.length === 1 ? xs[0]! : { k: 'alt', xs };
    };
    const seq = (): Exp => {
      const xs: Exp[] = [];
      while (i < tokens.length && ![')', ']', '|'].includes(tokens[i]!)) {
        const t = tokens[i++]!;
        if (t === '(') { xs.push(alt()); i++; } else if (t === '[') { xs.push({ k: 'opt', x: alt() }); i++; } else if (t.startsWith('<')) xs.push({ k: 'ref', r: t.slice(1, -1) });
        else xs.push({ k: 'word', w: t });
      }
      return { k: 'seq', xs };
    };
    rules.set(m[2]!, alt());
    assert.equal(i, tokens.length, `rule <${m[2]}> fully read`);
    if (m[1]) pub = m[2]!;
  }
  return { rules, pub };
}

function sample(e: Exp, rules: Map<string, Exp>, rand: () => number, out: string[]): void {
  switch (e.k) {
    case 'word': out.push(e.w); break;
    case 'ref': {
      const r = rules.get(e.r);
      assert.ok(r, `rule <${e.r}> is defined`);
      sample(r, rules, rand, out);
      break;
    }
    case 'seq': for (const x of e.xs) sample(x, rules, rand, out); break;
    case 'alt': sample(e.xs[Math.floor(rand() * e.xs.length)]!, rules, rand, out); break;
    case 'opt': if (rand() < 0.5) sample(e.x, rules, rand, out); break;
  }
}

test('every sentence the JSGF generates parses to a command', () => {
  const { rules, pub } = readJsgf(generateJsgf());
  assert.equal(pub, 'command');
  const rand = seededRandom(3);
  const kinds = new Set<string>();
  for (let n = 0; n < 5000; n++) {
    const words: string[] = [];
    sample(rules.get(pub)!, rules, rand, words);
    const intent = parseTokens(words);
    assert.notEqual(intent.intent, 'reject', `"${words.join(' ')}" -> ${JSON.stringify(intent)}`);
    kinds.add(intent.intent);
  }
  assert.deepEqual([...kinds].sort(), INTENT_KINDS.filter((k) => k !== 'reject').sort(), 'every intent kind is reachable by voice');
});

test('text-only phrasings and courtesy words stay out of the voice grammar', () => {
  const jsgf = generateJsgf();
  // "hold it" was heard for "halt": a stop must not have a milder look-alike in the voice grammar.
  assert.doesNotMatch(jsgf, /\bhold\b/);
  assert.doesNotMatch(jsgf, /\b(thanks|could)\b/);
  assert.equal(parseTokens(['hold', 'on']).intent, 'pause');
});

test('every path through the FSG parses to a command, and the garbage loop is separate', () => {
  const fsg = generateFsg(undefined, { weight: 1e-10, phoneProb: 0.2, phones: CMU_PHONES });
  const out = new Map<number, Array<{ to: number; word?: string; prob: number }>>();
  for (const m of fsg.matchAll(/^TRANSITION (\d+) (\d+) (\S+)(?: (\S+))?$/gm)) {
    const from = Number(m[1]);
    const list = out.get(from) ?? [];
    list.push({ to: Number(m[2]), prob: Number(m[3]), ...(m[4] ? { word: m[4] } : {}) });
    out.set(from, list);
  }
  // The garbage loop's transitions are penalties, not a distribution; everything else is one.
  const garbageStates = new Set<number>();
  for (const [from, list] of out) for (const t of list) if (t.word?.startsWith('gbg')) garbageStates.add(from).add(t.to);
  for (const [from, list] of out) {
    if (garbageStates.has(from)) continue;
    const total = list.reduce((a, t) => a + t.prob, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `state ${from}: outgoing probabilities sum to ${total}`);
  }
  const rand = seededRandom(5);
  for (let n = 0; n < 2000; n++) {
    const words: string[] = [];
    let state = 0;
    // Walk by probability but never into garbage here (its entry probability is 1e-10).
    while (state !== 1) {
      const list = out.get(state)!;
      let r = rand();
      let pick = list[list.length - 1]!;
      for (const t of list) { if ((r -= t.prob) <= 0) { pick = t; break; } }
      if (pick.word) words.push(pick.word);
      state = pick.to;
    }
    assert.notEqual(parseTokens(words).intent, 'reject', words.join(' '));
  }
});

const model = defaultModel();
const haveModel = existsSync(model.cmudictPath);

test('the dictionary holds exactly the grammar words, with alternate pronunciations', { skip: !haveModel && !process.env.CI && `no ${model.cmudictPath} (install pocketsphinx-en-us)` }, () => {
  const words = grammarWords();
  const dict = generateDictionary(words, model.cmudictPath);
  const heads = dict.trim().split('\n').map((l) => l.split(' ')[0]!);
  assert.deepEqual([...new Set(heads.map((h) => h.replace(/\(\d+\)$/, '')))].sort(), [...words].sort());
  assert.ok(heads.includes('the(2)'), 'alternate pronunciations kept');
  const jsgfWords = new Set(generateJsgf().split('\n').slice(3).join(' ').replace(/<[\w.]+>/g, ' ').match(/[a-z'][a-z']*/g));
  jsgfWords.delete('public');
  for (const w of jsgfWords) assert.ok(words.includes(w), `JSGF word "${w}" is in the dictionary`);
});

test('a word missing from the pronunciation dictionary fails clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-jsgf-'));
  const path = join(dir, 'tiny.dict');
  writeFileSync(path, 'stop S T AA P\npick P IH K\n');
  assert.throws(() => generateDictionary(['stop', 'pick', 'zorble', 'quux'], path), /no pronunciation in .*tiny\.dict for "zorble", "quux"/);
  assert.throws(() => generateDictionary(['stop'], join(dir, 'missing.dict')), /cannot read the pronunciation dictionary/);
  assert.equal(generateDictionary(['stop'], path, { weight: 0.1, phoneProb: 0.5, phones: ['AA'] }), 'stop S T AA P\ngbgaa AA\n');
  rmSync(dir, { recursive: true, force: true });
});
