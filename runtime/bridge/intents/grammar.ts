// The one description of what operators may say. The text parser (parse-intent.ts) matches it and the JSGF
// generator (voice/jsgf.ts) emits it, so the recognizer can only hear sentences the parser understands.
// Patterns use the phrase language of pattern.ts.

import { cardinalWord, ordinalWord } from './normalize.js';
import type { IntentKind } from './intent.js';

export interface SlotTable {
  /** canonical value -> pattern of the words that mean it */
  values: Readonly<Record<string, string>>;
  /** Values are numbers (bins), converted with Number() when the intent is built. */
  numeric?: boolean;
}

export interface IntentRule {
  intent: Exclude<IntentKind, 'reject'>;
  patterns: readonly string[];
  /** Fields every match of this rule sets (gripper open vs close). */
  fixed?: Readonly<Record<string, string>>;
  /**
   * Phrasings accepted in text but left out of the voice grammar, because by ear they are too close to a stop
   * word ("hold it" was heard for "halt"): a stop must never be recognised as something milder.
   */
  textOnly?: readonly string[];
}

export interface IntentGrammar {
  /** Shared phrases, referenced as $name. */
  phrases: Readonly<Record<string, string>>;
  /** Slot tables, referenced as {field} or {field=table}. */
  slots: Readonly<Record<string, SlotTable>>;
  /** In priority order: the first rule that matches the whole sentence wins. */
  rules: readonly IntentRule[];
  /**
   * Courtesy words around any command: a text sentence is `[prefix] <pattern> [suffix]`. The voice grammar leaves
   * them out: every optional word is one more way to mishear, and with them command accuracy on the voice
   * evaluation fell from 0.914 to 0.882 (REJECTION.md).
   */
  courtesy: { prefix: string; suffix: string };
  /**
   * Words that mean e-stop wherever they appear in a sentence, checked before any rule. Only a whole-sentence
   * match of a rule that itself uses one of these words ("stop recording") overrides them.
   */
  stopKeywords: readonly string[];
}

/** Bins operators can name, 1..MAX_BIN. */
export const MAX_BIN = 10;

function binTable(word: (n: number) => string | undefined): SlotTable {
  const values: Record<string, string> = {};
  for (let n = 1; n <= MAX_BIN; n++) values[String(n)] = word(n)!;
  return { values, numeric: true };
}

export const INTENT_GRAMMAR: IntentGrammar = {
  phrases: {
    stop_word: 'stop | halt | freeze | abort | e stop | emergency stop | emergency',
    stop_tail: 'the arm | the robot | everything | now | right now | moving | it | immediately',
    det: 'the | a | an | that | this',
    pronoun: 'it | that | this | them',
    pick_verb: 'pick | grab | take | get | fetch | grasp | lift',
    place_verb: 'place | put | drop | set | leave | move',
    into: 'in | into | inside | to | on | onto',
    gripper: 'gripper | hand | claw | fingers',
  },
  slots: {
    color: {
      values: {
        red: 'red', green: 'green', blue: 'blue', yellow: 'yellow', orange: 'orange', white: 'white',
        black: 'black', purple: 'purple', pink: 'pink', brown: 'brown', grey: 'grey | gray',
      },
    },
    object: {
      values: {
        box: 'box | carton | package | parcel | cardboard box',
        cube: 'cube | block',
        towel: 'towel',
        cloth: 'cloth | rag',
        bag: 'bag | sack | pouch',
        cardboard: 'cardboard | cardboard sheet | piece of cardboard',
        bottle: 'bottle',
        ball: 'ball',
      },
    },
    cardinal: binTable(cardinalWord),
    ordinal: binTable(ordinalWord),
    outcome: {
      values: {
        success: 'success | successful | succeeded | worked | a success',
        failure: 'failure | failed | fail | unsuccessful | a failure',
      },
    },
  },
  rules: [
    { intent: 'record_stop', patterns: ['(stop | end | finish) [the] recording', '(end | finish) [the] episode'] },
    {
      intent: 'estop',
      // Two stop words at most by voice: every extra optional word lets more unrelated speech fit a stop.
      patterns: ['[hey] $stop_word [$stop_word] [$stop_tail]', "(don't | do not) move"],
    },
    {
      intent: 'pause',
      patterns: ['pause [the arm | everything] | wait | wait a (second | moment)'],
      textOnly: ['hold on | hold it | hold'],
    },
    { intent: 'resume', patterns: ['resume | continue | go on | carry on | keep going | proceed'] },
    {
      intent: 'home',
      patterns: ['(go | return | move) [back] [to] [the] home [position]', 'home [the arm | position]'],
    },
    {
      intent: 'pick',
      patterns: [
        '$pick_verb [up] [$det] [{color}] {object} [up]',
        '$pick_verb [up] [$det] {color} [one | thing | item | object] [up]',
        '$pick_verb (it | one | that | this | something) up',
        '$pick_verb up (it | that | this | something)',
      ],
    },
    {
      intent: 'place',
      patterns: [
        '$place_verb [$pronoun] [down] $into [the] bin [number] {bin=cardinal}',
        '$place_verb [$pronoun] [down] $into the {bin=ordinal} bin',
        '$into bin [number] {bin=cardinal}',
      ],
    },
    {
      intent: 'gripper',
      fixed: { action: 'open' },
      patterns: ['open [the] $gripper', 'release [it]', 'let go [of it]'],
    },
    { intent: 'gripper', fixed: { action: 'close' }, patterns: ['close [the] $gripper', 'grip it'] },
    {
      intent: 'record_start',
      patterns: ['(start | begin) [the] recording', '(start | begin) [a] [new] episode', 'record [an episode]'],
    },
    {
      intent: 'label',
      patterns: [
        '(mark | label) [it | that | this | the episode] [as] {outcome}',
        '[(that | it | the episode) [was | is]] {outcome}',
      ],
    },
    {
      intent: 'confirm',
      patterns: ['yes [please | confirm] | yeah | confirm | confirmed | go ahead | do it | affirmative | correct | okay'],
    },
    { intent: 'cancel', patterns: ['no | nope | cancel [that | it] | never mind | forget it | negative'] },
  ],
  courtesy: {
    prefix: 'hey robot | robot | hey | okay robot | please | hey arm | can you [please] | could you [please]',
    suffix: 'please | now | thanks | thank you',
  },
  stopKeywords: ['stop', 'halt', 'freeze', 'abort', 'emergency'],
};
