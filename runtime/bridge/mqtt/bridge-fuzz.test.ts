// 10,000 random and malformed payloads on cmd, through each broker: the process stays up, nothing executes, and
// every single one is answered with a rejection (acks are counted, including those with id null).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { BROKER_KINDS, brokerSkip, startTestBroker, type TestBroker } from './testing/brokers.js';
import { ackInbox, command, connectUser, finalAck, startTestBridge, topics, type Inbox, type TestBridge } from './testing/harness.js';
import { decodeCommand } from './command-decode.js';
import type { Ack } from './schemas.js';
import { mulberry32 } from '../../random.js';

const PAYLOADS = 10_000;
/** Outstanding (sent, not yet answered) payloads at most, so no queue anywhere grows without bound. */
const WINDOW = 400;

const rng = mulberry32;

function malformed(random: () => number, i: number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const valid = command('alice', { text: 'pick up the red box' });
  const id = `fuzz-${i}`;
  const mutations: Array<() => unknown> = [
    () => ({ ...valid, id, ttlMs: -1 - Math.floor(random() * 1000) }),
    () => ({ ...valid, id, ttlMs: 'soon' }),
    () => ({ ...valid, id, issuedAt: undefined }),
    () => ({ ...valid, id, issuedAt: -5 }),
    () => ({ ...valid, id, operator: undefined }),
    () => ({ ...valid, id, operator: 'bob' }),
    () => ({ ...valid, id, text: undefined }),
    () => ({ ...valid, id, text: '' }),
    () => ({ ...valid, id, text: 'x'.repeat(1001) }),
    () => ({ ...valid, id, intent: { intent: 'home' } }),
    () => ({ ...valid, id, text: undefined, intent: { intent: pick(['fly', 'dance', '', 42, null]) } }),
    () => ({ ...valid, id, text: undefined, intent: { intent: 'place', bin: pick([0, 11, 2.5, '3', null]) } }),
    () => ({ ...valid, id, text: undefined, intent: { intent: 'gripper' } }),
    () => ({ ...valid, id, [`extra${Math.floor(random() * 9)}`]: random() }),
    () => ({ ...valid, id, confirm: 'yes' }),
    () => ({ ...valid, id, issuedAt: Date.now() - 60_000, ttlMs: 10 }),
    () => ({ ...valid, id, text: 'please sing me a song about forklifts' }),
    () => ({ ...valid, id: 'x'.repeat(129) }),
    () => ({ ...valid, id: pick([0, true, null, [], {}]) }),
  ];
  const r = random();
  if (r < 0.15) return Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
  if (r < 0.25) return Buffer.from(JSON.stringify(valid).slice(0, Math.floor(random() * 60)));
  if (r < 0.32) return Buffer.from(JSON.stringify(pick([null, 0, -1.5, 'stop?', [], [1, { a: 2 }], true, 'x'.repeat(100)])));
  if (r < 0.34) return Buffer.from('['.repeat(1 + Math.floor(random() * 5000)));
  if (r < 0.35) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(pick(mutations)()));
}

for (const kind of BROKER_KINDS) {
  describe(`cmd fuzzing via ${kind}`, { skip: brokerSkip(kind) }, () => {
    let broker: TestBroker;
    let rig: TestBridge;
    let alice: MqttClient;
    let acks: Inbox<Ack>;

    before(async () => {
      broker = await startTestBroker(kind);
      rig = await startTestBridge(broker);
      alice = await connectUser(broker, 'alice');
      acks = await ackInbox(alice);
    });
    after(async () => {
      await alice?.endAsync();
      await rig?.close();
      await broker?.close();
    });

    it(`answers ${PAYLOADS} malformed payloads with ${PAYLOADS} rejections`, { timeout: 180_000 }, async () => {
      const random = rng(kind === 'aedes' ? 1 : 2);
      const payloads: Buffer[] = [];
      while (payloads.length < PAYLOADS) {
        const p = malformed(random, payloads.length);
        // A random payload that happens to be a stop word would be answered with done; leave those out.
        if (decodeCommand(p).kind !== 'stop') payloads.push(p);
      }
      // A few oversize ones (more than 64 KiB) at the end.
      for (let i = 0; i < 3; i++) payloads[PAYLOADS - 1 - i] = Buffer.alloc(64 * 1024 + 1 + i, 0x20);

      const answered = (): number => acks.messages.length;
      for (let sent = 0; sent < payloads.length; sent++) {
        if (sent - answered() >= WINDOW) await acks.waitUntil(() => (sent - answered() < WINDOW / 2 ? true : undefined), 'the ack window to drain', 20_000);
        alice.publish(topics.cmd('alice'), payloads[sent], { qos: 1 });
      }
      await acks.waitUntil(() => (answered() >= PAYLOADS ? true : undefined), `${PAYLOADS} acks`, 30_000);
      // Late duplicates would show up here; the pause also refills alice's rate-limit bucket for the last check.
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(answered(), PAYLOADS, 'exactly one ack per payload');
      const notRejected = acks.messages.filter((m) => m.body.status !== 'rejected');
      assert.deepEqual(notRejected.slice(0, 3), [], 'every answer is a rejection');
      assert.equal(rig.executive.calls.length, 0, 'nothing executed');
      assert.equal(rig.estops.length, 0);

      // Still up and still serving.
      assert.equal(rig.bridge.connected, true);
      const ok = command('alice', { text: 'go home' });
      alice.publish(topics.cmd('alice'), JSON.stringify(ok), { qos: 1 });
      assert.equal((await finalAck(acks, ok.id)).status, 'done');
    });
  });
}
