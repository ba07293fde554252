// Who may command, and stops that always stop: broker-side authentication and ACLs, the bridge's role checks, the
// e-stop path bypassing TTL, rate limit and confirmation, and releasing the latch. Against aedes and mosquitto.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { BROKER_KINDS, brokerSkip, startTestBroker, type TestBroker } from './testing/brokers.js';
import { ackInbox, command, connectUser, finalAck, send, startTestBridge, topics, type Inbox, type TestBridge } from './testing/harness.js';
import type { Ack } from './schemas.js';
import type { LatchControl } from './command-processor.js';

/** Publishing something the broker must refuse: MQTT 5 answers with a reason code, aedes (3.1.1) drops the client. */
async function refusedPublish(client: MqttClient, topic: string, payload: string): Promise<string> {
  const closed = new Promise<string>((resolve) => client.once('close', () => resolve('connection closed by broker')));
  const published = client.publishAsync(topic, payload, { qos: 1 }).then(
    () => 'accepted',
    (error: Error) => error.message,
  );
  return Promise.race([published, closed]);
}

class FakeLatch implements LatchControl {
  latched = false;
  reset(by: { operator: string; role: string }): { ok: true } | { ok: false; refusal: string } {
    if (by.role !== 'supervisor') return { ok: false, refusal: 'not a supervisor' };
    this.latched = false;
    return { ok: true };
  }
}

for (const kind of BROKER_KINDS) {
  describe(`bridge safety via ${kind}`, { skip: brokerSkip(kind) }, () => {
    let broker: TestBroker;
    let rig: TestBridge;
    let alice: MqttClient;
    let acks: Inbox<Ack>;
    const latch = new FakeLatch();
    const stacks: string[] = [];

    before(async () => {
      broker = await startTestBroker(kind);
      rig = await startTestBridge(broker, {
        // Six commands per operator for the whole file, with confirmation required for motion.
        commands: { rateLimit: { ratePerSec: 0.01, burst: 6 }, confirmation: { mode: 'payload-or-follow-up', windowMs: 400 } },
        latch,
        onEstop: () => {
          const limit = Error.stackTraceLimit;
          Error.stackTraceLimit = 100;
          stacks.push(new Error('onEstop').stack ?? '');
          Error.stackTraceLimit = limit;
          latch.latched = true;
        },
      });
      alice = await connectUser(broker, 'alice');
      acks = await ackInbox(alice);
    });
    after(async () => {
      await alice?.endAsync();
      await rig?.close();
      await broker?.close();
    });

    it('refuses unknown users and wrong passwords at connect', async () => {
      await assert.rejects(connectUser(broker, 'mallory', { password: 'guess' }), /Not authorized|Bad username or password|Connection refused/i);
      await assert.rejects(connectUser(broker, 'alice', { password: 'wrong' }), /Not authorized|Bad username or password|Connection refused/i);
    });

    it("refuses a viewer's command at the broker, so it never reaches the bridge", async () => {
      const vera = await connectUser(broker, 'vera');
      try {
        const cmd = command('vera', { text: 'pick up the red box', confirm: true });
        const outcome = await refusedPublish(vera, topics.cmd('vera'), JSON.stringify(cmd));
        assert.match(outcome, /Not authorized|closed by broker/);
        await new Promise((r) => setTimeout(r, 100));
        assert.ok(!rig.executive.calls.some((c) => c.ctx.id === cmd.id));
        assert.equal(acks.count((a) => a.id === cmd.id), 0);
      } finally {
        vera.end(true);
      }
      // A viewer may still read acks and state.
      const reader = await connectUser(broker, 'vera');
      try {
        const granted = await reader.subscribeAsync([topics.ack, topics.state], { qos: 1 });
        assert.deepEqual(granted.map((g) => g.qos), [1, 1]);
      } finally {
        await reader.endAsync();
      }
    });

    it('refuses a sender level that is not the authenticated user', async () => {
      const mallet = await connectUser(broker, 'bob');
      try {
        const cmd = command('alice', { text: 'go home', confirm: true });
        assert.match(await refusedPublish(mallet, topics.cmd('alice'), JSON.stringify(cmd)), /Not authorized|closed by broker/);
        await new Promise((r) => setTimeout(r, 100));
        assert.ok(!rig.executive.calls.some((c) => c.ctx.id === cmd.id));
      } finally {
        mallet.end(true);
      }
    });

    it('an e-stop bypasses the rate limit, confirmation and TTL, and calls onEstop inside the MQTT handler', async () => {
      // Empty alice's bucket (burst 6, refill every 100 s).
      for (let i = 0; i < 6; i++) {
        const cmd = command('alice', { text: 'open the gripper', confirm: true });
        await send(alice, 'alice', cmd);
        assert.equal((await finalAck(acks, cmd.id)).status, 'done');
      }
      const limited = command('alice', { text: 'close the gripper', confirm: true });
      await send(alice, 'alice', limited);
      assert.match((await finalAck(acks, limited.id)).reason ?? '', /^rate limited/);

      // Long expired, no confirmation, rate limit exhausted: it must still stop.
      const stale = command('alice', { text: 'stop the arm', issuedAt: Date.now() - 3_600_000, ttlMs: 0 });
      const before = rig.estops.length;
      await send(alice, 'alice', stale);
      const ack = await finalAck(acks, stale.id);
      assert.equal(ack.status, 'done');
      assert.deepEqual(ack.intent, { intent: 'estop' });
      assert.equal(rig.estops.length, before + 1);
      assert.equal(rig.estops.at(-1)?.source, 'mqtt:alice');
      // The call chain runs from mqtt.js's PUBLISH handler to onEstop with no queue, timer or promise between.
      assert.match(stacks.at(-1) ?? '', /handlePublish/);
      assert.ok(!rig.executive.calls.some((c) => c.ctx.id === stale.id), 'the executive never sees a stop');

      // A structured estop with broken fields still stops.
      await send(alice, 'alice', { intent: { intent: 'estop' }, ttlMs: -5 });
      await acks.waitFor((a) => a.id === null && a.status === 'done' && /e-stop tripped/.test(a.reason ?? ''), 'ack of a broken estop');
      assert.equal(rig.estops.length, before + 2);
    });

    it('while latched, motion is refused and only a supervisor may release the e-stop', async () => {
      assert.equal(latch.latched, true);
      const sam = await connectUser(broker, 'sam');
      try {
        const samAcks = await ackInbox(sam);
        const motion = command('sam', { text: 'go home', confirm: true });
        await send(sam, 'sam', motion);
        assert.match((await finalAck(samAcks, motion.id)).reason ?? '', /e-stop is latched/);
        const bob = await connectUser(broker, 'bob');
        const bobResume = command('bob', { text: 'resume' });
        await send(bob, 'bob', bobResume);
        assert.match((await finalAck(acks, bobResume.id)).reason ?? '', /releasing the e-stop needs role supervisor/);
        await bob.endAsync();
        assert.equal(latch.latched, true);
        const release = command('sam', { text: 'resume' });
        await send(sam, 'sam', release);
        const ack = await finalAck(samAcks, release.id);
        assert.equal(ack.status, 'done');
        assert.equal(latch.latched, false);
      } finally {
        await sam.endAsync();
      }
    });

    it('motion waits for a confirm from the same operator, or times out', async () => {
      const sam = await connectUser(broker, 'sam');
      try {
        const samAcks = await ackInbox(sam);
        const pick = command('sam', { text: 'pick the blue cube' });
        await send(sam, 'sam', pick);
        const pending = await samAcks.waitFor((a) => a.id === pick.id, 'pending ack');
        assert.equal(pending.status, 'pending');
        assert.ok(!rig.executive.calls.some((c) => c.ctx.id === pick.id));
        const confirm = command('sam', { text: 'confirm' });
        await send(sam, 'sam', confirm);
        assert.equal((await finalAck(samAcks, pick.id)).status, 'done');
        assert.equal((await finalAck(samAcks, confirm.id)).status, 'done');
        assert.equal(rig.executive.calls.find((c) => c.ctx.id === pick.id)?.ctx.confirmed, true);

        const late = command('sam', { text: 'go home' });
        await send(sam, 'sam', late);
        const timedOut = await finalAck(samAcks, late.id, 3000);
        assert.match(timedOut.reason ?? '', /not confirmed within 400 ms/);
        assert.ok(!rig.executive.calls.some((c) => c.ctx.id === late.id));
      } finally {
        await sam.endAsync();
      }
    });
  });
}
