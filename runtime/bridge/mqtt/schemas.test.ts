// The JSON Schemas on disk are the ones the code validates with, and they mean the same to a plain Ajv.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { SCHEMAS_DIR, staleSchemaFiles } from './write-schemas.js';
import { checkValue } from '../../config/validate.js';
import { AckSchema, PresenceSchema, StateSchema } from './schemas.js';
import { CommandProcessor } from './command-processor.js';
import { recordingExecutive } from './testing/harness.js';
import type { Ack } from './schemas.js';

// Ajv ships CJS with a default export; under NodeNext the class sits on .default.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default;

describe('wire schemas', () => {
  it('schemas/*.json are up to date (npx tsx runtime/bridge/mqtt/write-schemas.ts)', () => {
    assert.deepEqual(staleSchemaFiles(), []);
  });

  it('cmd.json, read by a plain Ajv, accepts a command and refuses text with intent', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'cmd.json'), 'utf8')));
    const ok = { id: 'a', operator: 'alice', text: 'go home', issuedAt: 1, ttlMs: 1000 };
    assert.equal(validate(ok), true);
    assert.equal(validate({ ...ok, intent: { intent: 'home' } }), false);
    assert.equal(validate({ ...ok, text: undefined, intent: { intent: 'place', bin: 3 } }), true);
    assert.equal(validate({ ...ok, ttlMs: -1 }), false);
  });

  it('every ack the processor sends matches AckSchema', async () => {
    const acks: Ack[] = [];
    const processor = new CommandProcessor({ confirmation: { mode: 'follow-up', windowMs: 1000 } }, {
      roleOf: () => 'operator',
      onEstop: () => undefined,
      executive: recordingExecutive(),
      sendAck: (a) => acks.push(a),
    });
    const now = Date.now();
    for (const body of [
      { id: '1', operator: 'alice', text: 'pick the red box', issuedAt: now, ttlMs: 1000 },
      { id: '2', operator: 'alice', text: 'confirm', issuedAt: now, ttlMs: 1000 },
      { id: '3', operator: 'alice', text: 'what is this', issuedAt: now, ttlMs: 1000 },
      { id: '4', operator: 'alice', text: 'stop', issuedAt: now, ttlMs: 1000 },
      { nonsense: true },
    ]) processor.handle({ sender: 'alice', payload: Buffer.from(JSON.stringify(body)), retained: false });
    await new Promise((r) => setImmediate(r));
    processor.close();
    assert.ok(acks.length >= 6);
    for (const ack of acks) assert.deepEqual(checkValue(AckSchema, ack), [], JSON.stringify(ack));
  });

  it('state and presence examples validate', () => {
    const state = { mode: 'idle', task: null, safety: { estop: false, holding: false }, loopRateHz: 30, recording: false, seq: 0, at: 1 };
    assert.deepEqual(checkValue(StateSchema, state), []);
    assert.match(checkValue(StateSchema, { ...state, mode: 'flying' })[0].message, /must be one of/);
    assert.deepEqual(checkValue(PresenceSchema, { online: true, bdSeq: 3, at: 1 }), []);
  });
});
