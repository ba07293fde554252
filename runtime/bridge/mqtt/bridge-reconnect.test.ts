// Losing the broker: a cut connection publishes the will (offline, same bdSeq) and the bridge comes back with a
// higher bdSeq; commands queued meanwhile have expired and never run; after a broker restart (no sessions, no
// retained messages) the bridge subscribes again and serves commands. Against aedes and mosquitto.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { BROKER_KINDS, brokerSkip, passwordOf, startTestBroker, type TestBroker } from './testing/brokers.js';
import { ackInbox, command, connectUser, finalAck, Inbox, send, startTestBridge, topics, type TestBridge } from './testing/harness.js';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.js';
import type { Presence } from './schemas.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

for (const kind of BROKER_KINDS) {
  describe(`bridge reconnects via ${kind}`, { skip: brokerSkip(kind) }, () => {
    let broker: TestBroker;
    let proxy: TcpProxy;
    let rig: TestBridge;
    let alice: MqttClient;
    let presence: Inbox<Presence>;

    before(async () => {
      broker = await startTestBroker(kind);
      proxy = await startTcpProxy(broker.port);
      // The bridge goes through the proxy so the test can cut only its connection.
      rig = await startTestBridge(broker, { url: proxy.url, initialBdSeq: 7 });
      alice = await connectUser(broker, 'alice');
      presence = await Inbox.open<Presence>(alice, topics.presence);
    });
    after(async () => {
      alice?.end(true);
      await rig?.close();
      await proxy?.close();
      await broker?.close();
    });

    it('publishes the will on a cut, comes back with a higher bdSeq, and refuses what expired meanwhile', async () => {
      const birth = await presence.waitFor((p) => p.online, 'first birth');
      assert.equal(birth.bdSeq, 7);
      const acks = await ackInbox(alice);

      proxy.cut({ down: true });
      const death = await presence.waitFor((p) => !p.online, 'the will');
      assert.equal(death.bdSeq, birth.bdSeq, 'the will carries the bdSeq of the session that died');

      // Sent while the bridge is away: queued in its persistent session, and stale by the time it is back.
      const stale = command('alice', { text: 'go home', ttlMs: 150 });
      await send(alice, 'alice', stale);
      await sleep(400);
      proxy.up();

      const rebirth = await presence.waitFor((p) => p.online && p.bdSeq > birth.bdSeq, 'the new birth', 8000);
      assert.ok(rebirth.bdSeq > death.bdSeq);
      const ack = await finalAck(acks, stale.id, 5000);
      assert.equal(ack.status, 'rejected');
      assert.match(ack.reason ?? '', /^expired/);
      assert.ok(!rig.executive.calls.some((c) => c.ctx.id === stale.id), 'the stale command never ran');

      const fresh = command('alice', { text: 'go home' });
      await send(alice, 'alice', fresh);
      assert.equal((await finalAck(acks, fresh.id)).status, 'done');
    });

    it('answers a stale death (a late will) by publishing its birth again', async () => {
      const current = rig.bridge.bdSeq;
      // The robot's own credentials from a second connection, as a half-open old session's will would arrive.
      const ghost = await connectUser(broker, 'robot1', { password: passwordOf('robot1') });
      try {
        const seen = presence.messages.length;
        await ghost.publishAsync(topics.presence, JSON.stringify({ online: false, bdSeq: current - 1, at: Date.now() }), { qos: 1, retain: true });
        await presence.waitUntil(() => (presence.messages.slice(seen).some((m) => m.body.online && m.body.bdSeq === current) ? true : undefined), 're-asserted birth');
      } finally {
        await ghost.endAsync();
      }
    });

    it('after a broker restart it subscribes again, is born with a higher bdSeq, and runs no stale command', async () => {
      const before = rig.bridge.bdSeq;
      alice.end(true);
      await broker.restart();
      alice = await connectUser(broker, 'alice');
      const acks = await ackInbox(alice);
      // Published retained and already expired: whether the bridge sees it live or replayed, it must not run.
      const stale = command('alice', { text: 'pick the red box', issuedAt: Date.now() - 60_000, ttlMs: 1000 });
      await send(alice, 'alice', stale, { retain: true });
      presence = await Inbox.open<Presence>(alice, topics.presence);
      const reborn = await presence.waitFor((p) => p.online && p.bdSeq > before, 'birth after restart', 8000);
      assert.ok(reborn.bdSeq > before);

      const fresh = command('alice', { text: 'go home' });
      await send(alice, 'alice', fresh);
      assert.equal((await finalAck(acks, fresh.id, 5000)).status, 'done', 'resubscribed: commands flow again');
      await sleep(100);
      assert.ok(!rig.executive.calls.some((c) => c.ctx.id === stale.id), 'the stale command never ran');
      const staleAck = acks.messages.find((m) => m.body.id === stale.id)?.body;
      if (staleAck) assert.equal(staleAck.status, 'rejected');
      // Clear the retained command so it cannot leak into anything else.
      await alice.publishAsync(topics.cmd('alice'), '', { qos: 1, retain: true });
    });

    it('close() publishes the death for the current bdSeq and stays closed', async () => {
      const last = rig.bridge.bdSeq;
      const seen = presence.messages.length;
      await rig.close();
      const death = await presence.waitFor((p) => !p.online && p.bdSeq === last, 'death on close');
      assert.equal(death.bdSeq, last);
      await sleep(500);
      assert.equal(rig.bridge.connected, false);
      assert.ok(!presence.messages.slice(seen).some((m) => m.body.online), 'no birth after close');
    });
  });
}
