// The command path end to end, through the embedded aedes and a real mosquitto: acks, validation, TTL, identity,
// stop words, confirmation and rate limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { BROKER_KINDS, brokerSkip, startTestBroker, type TestBroker } from './testing/brokers.js';
import { ackInbox, command, connectUser, finalAck, Inbox, send, startTestBridge, topics, type TestBridge } from './testing/harness.js';
import type { Ack, RobotEvent, RobotState, Transcript } from './schemas.js';
import { encodeAudioChunk, type AudioChunk } from './audio.js';

for (const kind of BROKER_KINDS) {
  describe(`command bridge via ${kind}`, { skip: brokerSkip(kind) }, () => {
    let broker: TestBroker;
    let rig: TestBridge;
    let alice: MqttClient;
    let acks: Inbox<Ack>;
    const audio: Array<{ sender: string; chunk: AudioChunk }> = [];

    before(async () => {
      broker = await startTestBroker(kind);
      rig = await startTestBridge(broker, {
        commands: { rateLimit: { ratePerSec: 5, burst: 10 } },
        onAudio: (sender, chunk) => audio.push({ sender, chunk }),
      });
      alice = await connectUser(broker, 'alice');
      acks = await ackInbox(alice);
    });
    after(async () => {
      await alice?.endAsync();
      await rig?.close();
      await broker?.close();
    });

    it('acks a command accepted, then done, and hands the intent to the executive', async () => {
      const cmd = command('alice', { text: 'pick up the red box' });
      await send(alice, 'alice', cmd);
      const done = await finalAck(acks, cmd.id);
      assert.equal(done.status, 'done');
      assert.deepEqual(done.intent, { intent: 'pick', color: 'red', object: 'box' });
      assert.equal(acks.count((a) => a.id === cmd.id && a.status === 'accepted'), 1);
      const call = rig.executive.calls.find((c) => c.ctx.id === cmd.id);
      assert.ok(call, 'executive was called');
      assert.equal(call.ctx.operator, 'alice');
      assert.equal(call.ctx.role, 'operator');
    });

    it('accepts a structured intent and reports a failed execution', async () => {
      rig.executive.result = 'failed';
      try {
        const cmd = command('alice', { intent: { intent: 'place', bin: 3 } });
        await send(alice, 'alice', cmd);
        assert.equal((await finalAck(acks, cmd.id)).status, 'failed');
      } finally {
        rig.executive.result = 'done';
      }
    });

    it('rejects invalid payloads with a reason naming the field', async () => {
      const base = command('alice', { text: 'go home' });
      const cases: Array<[unknown, string | null, RegExp]> = [
        [{ ...base, id: 'neg-ttl', ttlMs: -1 }, 'neg-ttl', /^ttlMs must be >= 0$/],
        [{ ...base, id: 'no-issued', issuedAt: undefined }, 'no-issued', /issuedAt is required/],
        [{ ...base, id: 'bad-bin', text: undefined, intent: { intent: 'place', bin: 99 } }, 'bad-bin', /intent\.bin must be <= 10/],
        [{ ...base, id: 'both', intent: { intent: 'home' } }, 'both', /text and intent are exclusive/],
        [{ ...base, id: 'extra', speed: 9 }, 'extra', /speed is not a known field/],
        [{ ...base, id: 'bad-color', text: undefined, intent: { intent: 'pick', color: 'mauve' } }, 'bad-color', /intent\.color must be one of/],
        ['{"id": "trunc', null, /not valid JSON/],
        [{ ...base, id: 42 }, null, /id must be string/],
        [[1, 2, 3], null, /must be a JSON object/],
      ];
      for (const [body, id] of cases) await send(alice, 'alice', body);
      for (const [, id, reason] of cases) {
        const ack = await acks.waitFor((a) => a.id === id && a.status === 'rejected' && reason.test(a.reason ?? ''), `rejection ${reason}`);
        assert.match(ack.reason ?? '', reason);
      }
    });

    it('rejects an oversize payload before parsing it', async () => {
      const big = JSON.stringify({ ...command('alice', { text: 'home' }), pad: 'x'.repeat(70 * 1024) });
      await send(alice, 'alice', big);
      const ack = await acks.waitFor((a) => a.id === null && /bytes, more than the 65536 allowed/.test(a.reason ?? ''), 'oversize rejection');
      assert.equal(ack.status, 'rejected');
    });

    it('never executes an expired command', async () => {
      const cmd = command('alice', { text: 'go home', issuedAt: Date.now() - 10_000, ttlMs: 1000 });
      await send(alice, 'alice', cmd);
      const ack = await finalAck(acks, cmd.id);
      assert.equal(ack.status, 'rejected');
      assert.match(ack.reason ?? '', /^expired/);
      assert.ok(!rig.executive.calls.some((c) => c.ctx.id === cmd.id));
    });

    it('refuses a payload whose operator is not the authenticated sender', async () => {
      const cmd = command('bob', { text: 'go home' });
      await send(alice, 'alice', cmd);
      const ack = await finalAck(acks, cmd.id);
      assert.match(ack.reason ?? '', /operator "bob" does not match the authenticated user "alice"/);
      assert.ok(!rig.executive.calls.some((c) => c.ctx.id === cmd.id));
    });

    it('"stop recording" is a recorder command, not an e-stop', async () => {
      const before = rig.estops.length;
      const cmd = command('alice', { text: 'stop recording' });
      await send(alice, 'alice', cmd);
      const ack = await finalAck(acks, cmd.id);
      assert.equal(ack.status, 'done');
      assert.deepEqual(ack.intent, { intent: 'record_stop' });
      assert.equal(rig.estops.length, before);
    });

    it('replays of an id are refused', async () => {
      const cmd = command('alice', { text: 'open the gripper' });
      await send(alice, 'alice', cmd);
      await finalAck(acks, cmd.id);
      const n = rig.executive.calls.length;
      await send(alice, 'alice', cmd);
      await acks.waitFor((a) => a.id === cmd.id && /duplicate id/.test(a.reason ?? ''), 'duplicate rejection');
      assert.equal(rig.executive.calls.length, n);
    });

    it('rate-limits a flood per operator while stop words still pass', async () => {
      const flood = Array.from({ length: 40 }, () => command('alice', { text: 'open the gripper' }));
      await Promise.all(flood.map((c) => send(alice, 'alice', c)));
      const stop = command('alice', { text: 'stop' });
      await send(alice, 'alice', stop);
      const stopAck = await finalAck(acks, stop.id);
      assert.equal(stopAck.status, 'done');
      const finals = await acks.waitUntil(() => {
        const got = flood.map((c) => acks.messages.find((m) => m.body.id === c.id && m.body.status !== 'accepted')?.body);
        return got.every(Boolean) ? (got as Ack[]) : undefined;
      }, 'final acks of the flood');
      const limited = finals.filter((a) => /^rate limited/.test(a.reason ?? '')).length;
      assert.ok(limited >= 25, `expected most of 40 to be rate limited, got ${limited}`);
      assert.ok(finals.length - limited <= 12, 'at most the burst (plus refill) went through');
      assert.ok(rig.estops.some((e) => /stop word/.test(e.reason)), 'the stop word reached onEstop');
      // Bob has his own bucket.
      const bob = await connectUser(broker, 'bob');
      try {
        const bobAcks = await ackInbox(bob);
        const cmd = command('bob', { text: 'go home' });
        await send(bob, 'bob', cmd);
        assert.equal((await finalAck(bobAcks, cmd.id)).status, 'done');
      } finally {
        await bob.endAsync();
      }
    });

    it('publishes retained state, events and transcripts, and delivers operator audio', async () => {
      await rig.bridge.publishState({ mode: 'running', task: 'pick red box', safety: { estop: false, holding: false }, loopRateHz: 30, recording: true });
      await rig.bridge.publishEvent({ type: 'note', message: 'hello' });
      await rig.bridge.publishTranscript({ utteranceId: 'u1', operator: 'alice', text: 'pick the red box', final: true, intent: { intent: 'pick', color: 'red', object: 'box' } });
      await assert.rejects(rig.bridge.publishState({ mode: 'flying' as 'idle', task: null, safety: { estop: false, holding: false }, loopRateHz: 30, recording: false }), /mode must be one of/);
      // A late subscriber gets the retained state.
      const vera = await connectUser(broker, 'vera');
      try {
        const state = await Inbox.open<RobotState>(vera, topics.state);
        const got = await state.waitFor((s) => s.task === 'pick red box', 'retained state');
        assert.equal(got.mode, 'running');
        assert.ok(got.seq >= 0 && got.at > 0);
        assert.equal(state.messages[0].retain, true);
      } finally {
        await vera.endAsync();
      }
      const events = await Inbox.open<RobotEvent>(alice, topics.events);
      const transcripts = await Inbox.open<Transcript>(alice, topics.voiceTranscript);
      await rig.bridge.publishEvent({ type: 'note', message: 'second' });
      await rig.bridge.publishTranscript({ utteranceId: 'u2', operator: 'alice', text: 'go home', final: false });
      assert.equal((await events.waitFor((e) => e.message === 'second', 'event')).type, 'note');
      assert.equal((await transcripts.waitFor((t) => t.utteranceId === 'u2', 'transcript')).final, false);

      await alice.publishAsync(topics.voiceAudio('alice'), encodeAudioChunk({ utteranceId: 'u3', seq: 0, final: true, samples: Int16Array.from([5, -5]) }), { qos: 0 });
      await acks.waitUntil(() => (audio.length ? true : undefined), 'audio chunk');
      assert.equal(audio[0].sender, 'alice');
      assert.deepEqual([...audio[0].chunk.samples], [5, -5]);
    });
  });
}
