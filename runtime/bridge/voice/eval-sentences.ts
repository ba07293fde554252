// Sentences of the voice evaluation. In-grammar commands cover every intent kind with the phrasings operators
// use; out-of-grammar sentences are what a microphone on a warehouse floor also hears. A second out-of-grammar
// list, never used to tune the rejection, checks that the chosen threshold generalises.

import type { ParsedIntent } from '../intents/intent.js';
import { SOUND_KINDS } from './tts.js';
import type { SoundKind } from './tts.js';

export interface EvalSentence {
  /** Spoken by espeak-ng, or a description when `sound` is set. */
  text: string;
  /** A non-speech sound instead of speech. */
  sound?: SoundKind;
  /** The intent the sentence means; reject for out-of-grammar. */
  expected: ParsedIntent;
}

const I = (text: string, expected: ParsedIntent): EvalSentence => ({ text, expected });
const reject: ParsedIntent = { intent: 'reject', reason: 'out of grammar' };

export const STOP_SENTENCES: readonly EvalSentence[] = [
  'stop', 'stop the arm', 'halt', 'freeze', 'emergency stop', 'abort', 'stop stop', 'hey stop', 'stop now',
  'e stop',
].map((t) => I(t, { intent: 'estop' }));

export const COMMAND_SENTENCES: readonly EvalSentence[] = [
  I('pick the red towel', { intent: 'pick', color: 'red', object: 'towel' }),
  I('pick up the blue box', { intent: 'pick', color: 'blue', object: 'box' }),
  I('grab the green cube', { intent: 'pick', color: 'green', object: 'cube' }),
  I('pick the towel', { intent: 'pick', object: 'towel' }),
  I('pick up the red one', { intent: 'pick', color: 'red' }),
  I('take the yellow bag', { intent: 'pick', color: 'yellow', object: 'bag' }),
  I('pick up the white cloth', { intent: 'pick', color: 'white', object: 'cloth' }),
  I('grab the cardboard', { intent: 'pick', object: 'cardboard' }),
  I('place it in bin two', { intent: 'place', bin: 2 }),
  I('put it in bin three', { intent: 'place', bin: 3 }),
  I('drop it into the second bin', { intent: 'place', bin: 2 }),
  I('place it in bin five', { intent: 'place', bin: 5 }),
  I('pause', { intent: 'pause' }),
  I('wait', { intent: 'pause' }),
  I('resume', { intent: 'resume' }),
  I('continue', { intent: 'resume' }),
  I('go home', { intent: 'home' }),
  I('return to home position', { intent: 'home' }),
  I('open the gripper', { intent: 'gripper', action: 'open' }),
  I('close the gripper', { intent: 'gripper', action: 'close' }),
  I('start recording', { intent: 'record_start' }),
  I('stop recording', { intent: 'record_stop' }),
  I('end recording', { intent: 'record_stop' }),
  I('mark it as a success', { intent: 'label', outcome: 'success' }),
  I('that was a failure', { intent: 'label', outcome: 'failure' }),
  I('yes confirm', { intent: 'confirm' }),
  I('cancel that', { intent: 'cancel' }),
  I('never mind', { intent: 'cancel' }),
];

/** Used to choose the rejection mechanism and its threshold. */
export const OUT_OF_GRAMMAR_TUNING: readonly EvalSentence[] = [
  'what time is it', 'the weather is nice today', 'hello how are you', 'where is the coffee machine',
  'i need to go to lunch', 'did you see the game last night', 'can you hear me', 'the truck arrives at noon',
  'my name is john', 'this is a really long day', 'turn on the lights', 'how much does it cost',
  'see you tomorrow morning', 'the printer is out of paper', 'we should order more tape',
].map((t) => I(t, reject));

/** Held out: never used to tune; the evaluation reports false accepts on these too. */
export const OUT_OF_GRAMMAR_HELD_OUT: readonly EvalSentence[] = [
  'good morning everyone', 'is anybody there', 'put the kettle on', 'what are we doing after work',
  'the shipment is late again', 'i like this song', 'call me later', 'where did you park',
  'one two three four', 'thank you very much',
].map((t) => I(t, reject));

/** Not speech at all: beeps, clatter, hum. Any command from these is a false accept. */
export const NOISE_SOUNDS: readonly EvalSentence[] = SOUND_KINDS.map((sound) => ({ text: `(${sound})`, sound, expected: reject }));
