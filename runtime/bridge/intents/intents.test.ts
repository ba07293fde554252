import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COLORS, INTENT_GRAMMAR, OBJECT_KINDS, MAX_BIN, MAX_COMMAND_WORDS, compileGrammar, isMotionIntent, normalizeText,
  parseIntent,
} from './index.js';
import type { ParsedIntent } from './index.js';

const cases: Array<[string, ParsedIntent]> = [
  // pick: synonyms, either slot absent, "up" before or after
  ['pick the red towel', { intent: 'pick', color: 'red', object: 'towel' }],
  ['Pick up the red towel.', { intent: 'pick', color: 'red', object: 'towel' }],
  ['pick the towel', { intent: 'pick', object: 'towel' }],
  ['pick up the red one', { intent: 'pick', color: 'red' }],
  ['grab a blue box', { intent: 'pick', color: 'blue', object: 'box' }],
  ['take the green block', { intent: 'pick', color: 'green', object: 'cube' }],
  ['get the yellow rag', { intent: 'pick', color: 'yellow', object: 'cloth' }],
  ['fetch the gray carton', { intent: 'pick', color: 'grey', object: 'box' }],
  ['lift the cardboard box up', { intent: 'pick', object: 'box' }],
  ['grab a piece of cardboard', { intent: 'pick', object: 'cardboard' }],
  ['pick the orange sack', { intent: 'pick', color: 'orange', object: 'bag' }],
  ['pick it up', { intent: 'pick' }],
  ['hey robot, pick up the white cube please', { intent: 'pick', color: 'white', object: 'cube' }],
  // place: digits, number words, ordinals
  ['place it in bin two', { intent: 'place', bin: 2 }],
  ['put it in bin 2', { intent: 'place', bin: 2 }],
  ['drop it into the second bin', { intent: 'place', bin: 2 }],
  ['put it in the 3rd bin', { intent: 'place', bin: 3 }],
  ['place it in bin #4', { intent: 'place', bin: 4 }],
  ['put that in bin number seven', { intent: 'place', bin: 7 }],
  ['Put it down in bin 10!', { intent: 'place', bin: 10 }],
  ['into bin one', { intent: 'place', bin: 1 }],
  ['place it in bin1', { intent: 'place', bin: 1 }],
  // the rest
  ['pause', { intent: 'pause' }],
  ['hold on', { intent: 'pause' }],
  ['wait a second', { intent: 'pause' }],
  ['resume', { intent: 'resume' }],
  ['carry on', { intent: 'resume' }],
  ['go home', { intent: 'home' }],
  ['return to the home position', { intent: 'home' }],
  ['open the gripper', { intent: 'gripper', action: 'open' }],
  ['release', { intent: 'gripper', action: 'open' }],
  ['let go', { intent: 'gripper', action: 'open' }],
  ['close the claw', { intent: 'gripper', action: 'close' }],
  ['start recording', { intent: 'record_start' }],
  ['begin a new episode', { intent: 'record_start' }],
  ['stop recording', { intent: 'record_stop' }],
  ['Stop the recording.', { intent: 'record_stop' }],
  ['end recording', { intent: 'record_stop' }],
  ['please stop recording now', { intent: 'record_stop' }],
  ['finish the episode', { intent: 'record_stop' }],
  ['mark it as a success', { intent: 'label', outcome: 'success' }],
  ['that worked', { intent: 'label', outcome: 'success' }],
  ['that was a failure', { intent: 'label', outcome: 'failure' }],
  ['label failed', { intent: 'label', outcome: 'failure' }],
  ['yes', { intent: 'confirm' }],
  ['OK', { intent: 'confirm' }],
  ['go ahead', { intent: 'confirm' }],
  ['cancel that', { intent: 'cancel' }],
  ['never mind', { intent: 'cancel' }],
  ['no', { intent: 'cancel' }],
];

test('phrasings, synonyms and number words map to their intents', () => {
  for (const [text, expected] of cases) assert.deepEqual(parseIntent(text), expected, text);
});

const stops = [
  'stop', 'STOP!', 'halt', 'freeze', 'emergency stop', 'e-stop', 'estop', 'E stop', 'abort', 'stop the arm',
  'stop stop', 'hey stop', 'stop now', 'emergency', "don't move", 'do not move',
  // inside longer sentences and next to other commands
  'could you please stop the arm right now', 'I said stop', 'pick the red towel stop', 'stop, pick the red towel',
  'place it in bin two no wait stop', 'whatever you are doing, halt', 'stop recording and stop the arm',
  'stop recording stop', 'freeze recording', 'abort recording', 'non-stop',
];

test('every stop phrase is estop, also inside longer sentences', () => {
  for (const text of stops) assert.deepEqual(parseIntent(text), { intent: 'estop' }, text);
});

test('"stop recording" and "end recording" are record_stop, not estop', () => {
  assert.deepEqual(parseIntent('stop recording'), { intent: 'record_stop' });
  assert.deepEqual(parseIntent('end recording'), { intent: 'record_stop' });
  assert.deepEqual(parseIntent('hey robot stop the recording please'), { intent: 'record_stop' });
});

test('stop wins in sentences too long to be commands', () => {
  const long = `${'blah '.repeat(500)}stop ${'blah '.repeat(500)}`;
  assert.deepEqual(parseIntent(long), { intent: 'estop' });
  const r = parseIntent('pick '.repeat(MAX_COMMAND_WORDS + 1));
  assert.equal(r.intent, 'reject');
  assert.match(r.intent === 'reject' ? r.reason : '', /too long/);
});

test('out-of-grammar text is rejected with a reason', () => {
  for (const text of [
    'what time is it', 'the weather is nice today', 'hello how are you', 'put the kettle on', 'bin 42',
    'place it in bin eleven', 'pick the red', 'pick the red towel from the shelf', 'towel', 'red', '42', 'bin',
  ]) {
    const r = parseIntent(text);
    if (text === 'pick the red') {
      assert.deepEqual(r, { intent: 'pick', color: 'red' }, text);
      continue;
    }
    assert.equal(r.intent, 'reject', text);
    assert.ok(r.intent === 'reject' && r.reason.length > 0);
  }
  assert.deepEqual(parseIntent(''), { intent: 'reject', reason: 'empty input' });
  assert.deepEqual(parseIntent('   ?!  '), { intent: 'reject', reason: 'empty input' });
});

test('random unicode and oversized strings never throw', () => {
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pieces = ['stop', 'pick', ' ', '\u0000', '\uD83D\uDE00', '\uD800', 'ß', 'é', '\u202E', '2nd', '99999999999999999999', "'", '-', 'bin'];
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const n = Math.floor(rand() * 30);
    for (let j = 0; j < n; j++) {
      s += rand() < 0.5 ? pieces[Math.floor(rand() * pieces.length)] : String.fromCharCode(Math.floor(rand() * 0xffff));
    }
    const r = parseIntent(s);
    assert.ok(typeof r.intent === 'string');
  }
  const huge = 'x'.repeat(2_000_000);
  assert.equal(parseIntent(huge).intent, 'reject');
  assert.equal(parseIntent(null as unknown as string).intent, 'reject');
  assert.equal(parseIntent(42 as unknown as string).intent, 'reject');
});

test('normalisation handles case, accents, punctuation and numbers', () => {
  assert.deepEqual(normalizeText('Put it in BIN #2, please!'), ['put', 'it', 'in', 'bin', 'two', 'please']);
  assert.deepEqual(normalizeText('the 2nd bin'), ['the', 'second', 'bin']);
  assert.deepEqual(normalizeText('E-Stop'), ['e', 'stop']);
  assert.deepEqual(normalizeText('Stöp… um, nöw'), ['stop', 'now']);
  assert.deepEqual(normalizeText('don’t move'), ["don't", 'move']);
  assert.deepEqual(normalizeText('bin 42'), ['bin', '42']);
});

test('the grammar slot tables match the intent types', () => {
  assert.deepEqual(Object.keys(INTENT_GRAMMAR.slots.color!.values).sort(), [...COLORS].sort());
  assert.deepEqual(Object.keys(INTENT_GRAMMAR.slots.object!.values).sort(), [...OBJECT_KINDS].sort());
  assert.equal(Object.keys(INTENT_GRAMMAR.slots.cardinal!.values).length, MAX_BIN);
  for (const color of COLORS) assert.deepEqual(parseIntent(`pick the ${color} box`), { intent: 'pick', color, object: 'box' });
  for (let bin = 1; bin <= MAX_BIN; bin++) assert.deepEqual(parseIntent(`put it in bin ${bin}`), { intent: 'place', bin });
});

test('a grammar with an unknown reference fails to compile, naming it', () => {
  const bad = { ...INTENT_GRAMMAR, rules: [{ intent: 'pause' as const, patterns: ['pause $nothing'] }] };
  assert.throws(() => compileGrammar(bad), /unknown phrase \$nothing/);
});

test('isMotionIntent is true exactly for intents that move the arm', () => {
  assert.equal(isMotionIntent({ intent: 'pick', color: 'red' }), true);
  assert.equal(isMotionIntent({ intent: 'place', bin: 1 }), true);
  assert.equal(isMotionIntent({ intent: 'home' }), true);
  assert.equal(isMotionIntent({ intent: 'resume' }), true);
  assert.equal(isMotionIntent({ intent: 'gripper', action: 'open' }), true);
  for (const intent of ['estop', 'pause', 'record_start', 'record_stop', 'confirm', 'cancel'] as const) {
    assert.equal(isMotionIntent({ intent }), false, intent);
  }
  assert.equal(isMotionIntent({ intent: 'label', outcome: 'success' }), false);
  assert.equal(isMotionIntent({ intent: 'reject', reason: 'x' }), false);
});
