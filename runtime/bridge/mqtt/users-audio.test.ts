// Password hashes, users.yaml, and the voice/audio chunk header.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserStore, hashPassword, verifyPassword } from './users.js';
import { decodeAudioChunk, encodeAudioChunk } from './audio.js';

const cheap = { N: 1024, r: 8, p: 1 };

describe('users', () => {
  it('hashes with scrypt and verifies in constant time', async () => {
    const hash = await hashPassword('correct horse', cheap);
    assert.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horsf', hash), false);
    assert.equal(await verifyPassword('x', 'scrypt$3$8$1$AAAA$BBBB'), false, 'malformed hashes never match');
    assert.notEqual(await hashPassword('correct horse', cheap), hash, 'salted');
  });

  it('loads users.yaml and authenticates', async () => {
    const hash = await hashPassword('pw', cheap);
    const store = UserStore.fromYaml(`users:\n  - { username: alice, role: operator, passwordHash: "${hash}" }\n`);
    assert.equal(store.roleOf('alice'), 'operator');
    assert.equal((await store.authenticate('alice', Buffer.from('pw')))?.username, 'alice');
    assert.equal(await store.authenticate('alice', 'nope'), undefined);
    assert.equal(await store.authenticate('mallory', 'pw'), undefined);
  });

  it('names the bad field in users.yaml', async () => {
    const hash = await hashPassword('pw', cheap);
    assert.throws(() => UserStore.fromYaml('users:\n  - { username: alice, role: admin, passwordHash: x }\n', 'u.yaml'),
      /u\.yaml: users\[0\]\.role must be one of "viewer", "operator", "supervisor", "robot"/);
    assert.throws(() => UserStore.fromYaml(`users:\n  - { username: ack, role: viewer, passwordHash: "${hash}" }\n`, 'u.yaml'), /"ack" is reserved/);
    assert.throws(() => UserStore.fromYaml(`users:\n  - { username: a, role: viewer, passwordHash: "${hash}" }\n  - { username: a, role: viewer, passwordHash: "${hash}" }\n`, 'u.yaml'),
      /users\[1\]\.username "a" is listed twice/);
    assert.throws(() => UserStore.fromYaml('users:\n  - { username: a, role: viewer, passwordHash: "scrypt$1048576$64$1$AAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAA" }\n', 'u.yaml'),
      /passwordHash needs more than 256 MiB/);
  });
});

describe('audio chunks', () => {
  it('round-trips header and samples', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768]);
    const buf = encodeAudioChunk({ utteranceId: 'utt-7', seq: 3, final: true, samples });
    assert.equal(buf.length, 9 + 5 + 10);
    const back = decodeAudioChunk(buf);
    assert.ok(typeof back !== 'string');
    assert.deepEqual({ ...back, samples: [...back.samples] }, { utteranceId: 'utt-7', seq: 3, final: true, samples: [...samples] });
  });

  it('says what is wrong with a bad chunk', () => {
    const good = encodeAudioChunk({ utteranceId: 'u', seq: 0, final: false, samples: Int16Array.from([1, 2]) });
    assert.match(decodeAudioChunk(Buffer.from('hello world')) as string, /no "AV" header/);
    assert.match(decodeAudioChunk(Buffer.concat([good, Buffer.from([1])])) as string, /odd number/);
    const v2 = Buffer.from(good);
    v2[2] = 2;
    assert.match(decodeAudioChunk(v2) as string, /version 2/);
    assert.throws(() => encodeAudioChunk({ utteranceId: 'a b', seq: 0, final: false, samples: new Int16Array(0) }), /utteranceId/);
  });
});
