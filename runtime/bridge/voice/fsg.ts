// The intent grammar as a Sphinx finite-state grammar (FSG) file, for the garbage-path rejection. JSGF cannot
// express it here: pocketsphinx 5prealpha ignores JSGF alternative weights (measured: a garbage alternative
// weighted 1e-150 still won every utterance), while FSG transition probabilities are honoured.

import { defaultCompiledGrammar } from '../intents/parse-intent.js';
import type { CompiledGrammar } from '../intents/parse-intent.js';
import type { PatternNode } from '../intents/pattern.js';
import { garbageWord } from './jsgf.js';
import type { GarbageConfig } from './jsgf.js';

interface Transition { from: number; to: number; prob: number; word?: string }

class FsgBuilder {
  states = 2;
  readonly transitions: Transition[] = [];
  constructor(readonly g: CompiledGrammar) {}

  state(): number {
    return this.states++;
  }

  add(from: number, to: number, prob: number, word?: string): void {
    this.transitions.push(word === undefined ? { from, to, prob } : { from, to, prob, word });
  }

  /** Thompson construction: every path from `from` to `to` spells a sentence of `node`. */
  build(node: PatternNode, from: number, to: number): void {
    switch (node.kind) {
      case 'word':
        this.add(from, to, 1, node.word);
        break;
      case 'phrase':
        this.build(this.g.phrases.get(node.name)!, from, to);
        break;
      case 'slot':
        this.alternatives(this.g.slots.get(node.table)!.map((v) => v.node), from, to);
        break;
      case 'alt':
        this.alternatives(node.options, from, to);
        break;
      case 'opt': {
        const s = this.state();
        this.add(from, s, 0.5);
        this.add(from, to, 0.5);
        this.build(node.node, s, to);
        break;
      }
      case 'seq': {
        let at = from;
        node.items.forEach((item, i) => {
          const next = i === node.items.length - 1 ? to : this.state();
          this.build(item, at, next);
          at = next;
        });
        break;
      }
    }
  }

  alternatives(options: readonly PatternNode[], from: number, to: number, total = 1): void {
    for (const option of options) {
      const s = this.state();
      this.add(from, s, total / options.length);
      this.build(option, s, to);
    }
  }
}

/**
 * FSG text: start state 0, final state 1; commands share probability 1 - garbage.weight with the garbage loop.
 * The garbage loop's transitions are penalties, not a distribution (pocketsphinx does not renormalise them).
 */
export function generateFsg(g: CompiledGrammar = defaultCompiledGrammar(), garbage?: GarbageConfig): string {
  const b = new FsgBuilder(g);
  const commands = g.rules.map((r) => g.sentence(r.voiceNode, 'voice'));
  b.alternatives(commands, 0, 1, garbage ? 1 - garbage.weight : 1);
  if (garbage) {
    const loopStart = b.state();
    const phoneEnd = b.state();
    b.add(0, loopStart, garbage.weight);
    for (const phone of garbage.phones) b.add(loopStart, phoneEnd, garbage.phoneProb, garbageWord(phone));
    b.add(phoneEnd, loopStart, 1);
    b.add(phoneEnd, 1, 1);
  }
  const lines = ['FSG_BEGIN armstack', `NUM_STATES ${b.states}`, 'START_STATE 0', 'FINAL_STATE 1'];
  for (const t of b.transitions) {
    lines.push(`TRANSITION ${t.from} ${t.to} ${t.prob.toPrecision(6)}${t.word === undefined ? '' : ` ${t.word}`}`);
  }
  lines.push('FSG_END');
  return `${lines.join('\n')}\n`;
}
