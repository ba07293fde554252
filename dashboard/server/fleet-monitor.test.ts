import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../runtime/bridge/mqtt/embedded-broker.js';
import { DEFAULT_TOPIC_PREFIX } from '../../runtime/bridge/mqtt/topics.js';
import { UserStore, hashPassword } from '../../runtime/bridge/mqtt/users.js';
import { FleetMonitor } from './fleet-monitor.js';

const cheap = { N: 1024, r: 8, p: 1 };

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function robotClient(url: string, name: string, will = false): Promise<MqttClient> {
  const base = `armstack/v1/site1/${name}/`;
  const c = connect(url, {
    username: name, password: 'pw', protocolVersion: 4, clientId: `t-${name}`, reconnectPeriod: 0,
    will: will ? { topic: `${base}presence`, payload: Buffer.from(JSON.stringify({ online: false, bdSeq: 0, at: 1 })), qos: 1, retain: true } : undefined,
  });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

function state(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    mode: 'running', task: 'pick red box', safety: { estop: false, holding: false }, loopRateHz: 30, recording: false, seq: 1, at: Date.now(), ...extra,
  });
}

describe('FleetMonitor on a real broker', () => {
  let broker: EmbeddedBroker;
  let monitor: FleetMonitor;
  const clients: MqttClient[] = [];

  before(async () => {
    const pw = await hashPassword('pw', cheap);
    const users = new UserStore([
      { username: 'dash', role: 'viewer', passwordHash: pw },
      { username: 'op', role: 'operator', passwordHash: pw },
      ...['arm1', 'arm2', 'arm3'].map((username) => ({ username, role: 'robot' as const, passwordHash: pw })),
    ]);
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, users, topicPrefix: DEFAULT_TOPIC_PREFIX });
    monitor = new FleetMonitor({ localRobot: 'arm1' });
  });

  after(async () => {
    await monitor.close();
    for (const c of clients) c.end(true);
    await broker.close();
  });

  it('lists robots from retained state and presence, with derived alerts', async () => {
    const arm1 = await robotClient(broker.url, 'arm1');
    const arm2 = await robotClient(broker.url, 'arm2', true);
    clients.push(arm1, arm2);
    const pub = (c: MqttClient, topic: string, payload: string): Promise<void> =>
      new Promise((res, rej) => c.publish(topic, payload, { qos: 1, retain: true }, (e) => (e ? rej(e) : res())));
    await pub(arm1, 'armstack/v1/site1/arm1/state', state({ dashboardUrl: 'http://127.0.0.1:9/' }));
    await pub(arm1, 'armstack/v1/site1/arm1/presence', JSON.stringify({ online: true, bdSeq: 0, at: Date.now() }));
    await pub(arm2, 'armstack/v1/site1/arm2/state', state({ safety: { estop: true, holding: true, reason: 'operator' }, mode: 'estopped', dashboardUrl: 'http://10.0.0.2:8080/' }));
    await pub(arm2, 'armstack/v1/site1/arm2/presence', JSON.stringify({ online: true, bdSeq: 0, at: Date.now() }));
    // Retained: the monitor connecting afterwards still sees both.
    await monitor.connect({ url: broker.url, username: 'dash', password: 'pw' });
    await until('two robots', () => monitor.snapshot().length === 2);
    const [r1, r2] = monitor.snapshot();
    assert.equal(r1.robot, 'arm1');
    assert.equal(r1.local, true);
    assert.equal(r1.dashboardUrl, undefined, 'the local robot opens in this dashboard');
    assert.equal(r1.task, 'pick red box');
    assert.deepEqual(r1.alerts, []);
    assert.equal(r2.estop, true);
    assert.ok(r2.alerts.includes('e-stop'));
    assert.equal(r2.dashboardUrl, 'http://10.0.0.2:8080/');

    // arm2 dies without a goodbye: the broker publishes its will.
    (arm2 as unknown as { stream: { destroy(): void } }).stream.destroy();
    await until('arm2 offline', () => monitor.snapshot().find((r) => r.robot === 'arm2')?.online === false);
    assert.ok(monitor.snapshot().find((r) => r.robot === 'arm2')!.alerts.includes('offline'));
    assert.ok(monitor.log.after(0).some((e) => e.robot === 'arm2' && e.text === 'offline'));
  });

  it('logs commands, acks and voice; drops malformed messages', async () => {
    const op = await robotClient(broker.url, 'op');
    const arm3 = await robotClient(broker.url, 'arm3');
    clients.push(op, arm3);
    const before = monitor.malformed;
    const pub = (c: MqttClient, topic: string, payload: string): Promise<void> =>
      new Promise((res, rej) => c.publish(topic, payload, { qos: 1 }, (e) => (e ? rej(e) : res())));
    await pub(op, 'armstack/v1/site1/arm3/cmd/op', JSON.stringify({ id: 'c1', operator: 'op', text: 'pick the red box', issuedAt: Date.now(), ttlMs: 5000 }));
    await pub(arm3, 'armstack/v1/site1/arm3/cmd/ack', JSON.stringify({ id: 'c1', status: 'accepted', operator: 'op', intent: { intent: 'pick', color: 'red' }, at: Date.now() }));
    await pub(arm3, 'armstack/v1/site1/arm3/voice/transcript', JSON.stringify({ utteranceId: 'u1', operator: 'op', text: 'stop', final: true, confidence: 0.9, intent: { intent: 'estop' }, at: Date.now() }));
    await pub(arm3, 'armstack/v1/site1/arm3/events', JSON.stringify({ type: 'estop', operator: 'op', message: 'voice stop', at: Date.now() }));
    await pub(arm3, 'armstack/v1/site1/arm3/state', '{"mode":"flying"}');
    await pub(arm3, 'armstack/v1/site1/arm3/events', 'not json');
    await until('four log entries for arm3', () => monitor.log.after(0).filter((e) => e.robot === 'arm3').length >= 4);
    await until('two malformed', () => monitor.malformed >= before + 2);
    const kinds = monitor.log.after(0).filter((e) => e.robot === 'arm3').map((e) => e.kind);
    assert.deepEqual(kinds, ['command', 'ack', 'voice', 'safety']);
    const voice = monitor.log.after(0).find((e) => e.kind === 'voice')!;
    assert.equal(voice.operator, 'op');
    assert.equal(voice.intent, '{"intent":"estop"}');
    assert.equal(monitor.snapshot().find((r) => r.robot === 'arm3'), undefined, 'a malformed state adds no robot');
  });

  it('handleMessage never throws on junk', () => {
    const m = new FleetMonitor();
    for (const [topic, payload] of [
      ['armstack/v1/s/r/state', '\u0000\u0001'], ['armstack/v1/s/r/presence', '[]'], ['x/y', '{}'],
      ['armstack/v1/s/r/cmd/op', '{"id":1}'], ['armstack/v1/s/r/voice/transcript', 'null'], ['armstack/v1/s/r/state', ''],
    ] as const) m.handleMessage(topic, Buffer.from(payload));
    assert.equal(m.robotCount, 0);
    assert.equal(m.malformed, 4, "the empty payload (a cleared retained topic) is not malformed");
  });
});
