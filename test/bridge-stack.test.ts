// The sim stack with the MQTT bridge, as operators use it: an embedded broker on a free port, commands from MQTT
// clients and from `armstack say`, the e-stop from a stop word, and `armstack intent`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { connectLowLatency } from '../runtime/bridge/mqtt/client.js';
import { DEFAULT_TOPIC_PREFIX, robotTopics } from '../runtime/bridge/mqtt/topics.js';
import type { Ack, RobotState } from '../runtime/bridge/mqtt/schemas.js';
import { parseLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { runCli, lastJsonLine } from './helpers/cli.js';
import { until } from './helpers/until.js';

const topics = robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: 'site1', robot: 'arm1' });

function connectAs(url: string, username: string): Promise<MqttClient> {
  const client = connectLowLatency(url, {
    username, password: `${username}-dev`, protocolVersion: 4, reconnectPeriod: 0, clientId: `${username}-${randomUUID().slice(0, 8)}`,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('sim stack with the MQTT bridge', () => {
  let stack: SimStack;
  let operator: MqttClient;
  const acks: Ack[] = [];
  const states: RobotState[] = [];
  const send = (text: string): string => {
    const id = randomUUID();
    operator.publish(topics.cmd('operator'), JSON.stringify({ id, operator: 'operator', text, issuedAt: Date.now(), ttlMs: 10_000 }), { qos: 1 });
    return id;
  };
  const finalAck = (id: string): Promise<Ack> =>
    until(() => acks.find((a) => a.id === id && (a.status === 'done' || a.status === 'failed' || a.status === 'rejected')), `final ack of ${id}`);

  before(async () => {
    const launch = parseLaunchDescription('version: 1\nname: bridge-test\nbridge: { port: 0, autonomous: false }\n', 'test');
    // Sim time as fast as the CPU allows (the loop still yields to I/O every tick), so a pick takes about a second.
    stack = new SimStack(launch, { headless: true, fast: true, bridge: true, log: () => undefined });
    await stack.start();
    assert.ok(stack.bridge);
    operator = await connectAs(stack.bridge.url, 'operator');
    operator.on('message', (topic, payload) => {
      if (topic === topics.ack) acks.push(JSON.parse(payload.toString('utf8')) as Ack);
      if (topic === topics.state) states.push(JSON.parse(payload.toString('utf8')) as RobotState);
    });
    await operator.subscribeAsync([topics.ack, topics.state], { qos: 1 });
  });

  after(async () => {
    await operator?.endAsync();
    await stack?.close();
  });

  it('armstack say as an operator: home is accepted, then done (exit 0)', async () => {
    const r = await runCli(['say', 'go home', '--url', stack.bridge!.url, '--user', 'operator', '--password', 'operator-dev', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const statuses = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Ack).status);
    assert.deepEqual(statuses, ['accepted', 'done']);
  });

  it('a viewer cannot command: the broker refuses it and say exits 1', async () => {
    const r = await runCli(['say', 'pick the red box', '--url', stack.bridge!.url, '--user', 'viewer', '--password', 'viewer-dev', '--timeout', '3']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(stack.executive!.task, null);
  });

  it('an operator pick is accepted, then done, and the red box is held', async () => {
    const id = send('pick the red box');
    const ack = await finalAck(id);
    assert.equal(ack.status, 'done', JSON.stringify(ack));
    assert.ok(acks.some((a) => a.id === id && a.status === 'accepted'));
    const held = stack.sim.world.sceneState().objects.filter((o) => o.held);
    assert.equal(held.length, 1);
    assert.equal(held[0].color, 'red');
    // Nothing of that colour left outside a bin and the gripper full: a second pick is refused with a reason.
    const again = await finalAck(send('pick the green box'));
    assert.equal(again.status, 'failed');
    assert.match(again.reason ?? '', /already holding/);
  });

  it('armstack say --wav: the robot recognizes the speech and runs it (open the gripper → done)', async (t) => {
    const missing = ['/usr/bin/pocketsphinx_continuous', '/usr/bin/espeak-ng', '/usr/bin/sox'].filter((p) => !existsSync(p));
    if (missing.length) {
      if (process.env.CI) assert.fail(`missing ${missing.join(', ')}: apt-get install pocketsphinx pocketsphinx-en-us espeak-ng sox`);
      t.skip(`missing ${missing.join(', ')}`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'armstack-voice-'));
    try {
      const raw = join(dir, 'raw.wav');
      const wav = join(dir, 'cmd.wav');
      execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, 'open the gripper']);
      execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', wav, 'pad', '0.5', '0.5']);
      const r = await runCli(['say', '--wav', wav, '--url', stack.bridge!.url, '--user', 'operator', '--password', 'operator-dev', '--json', '--timeout', '60']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const acks = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Ack);
      assert.equal(acks[acks.length - 1].status, 'done');
      assert.equal(acks[acks.length - 1].intent?.intent, 'gripper');
      assert.match(String(acks[0].id), /^voice-/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('"stop" holds the driver and latches the e-stop; motion is then refused', async () => {
    const holds = stack.sim.driver.holdCount;
    const id = send('stop');
    await until(() => (stack.sim.driver.holdCount > holds ? true : undefined), 'driver.hold');
    assert.equal(stack.estop.latched, true);
    assert.equal((await finalAck(id)).status, 'done');
    const refused = await finalAck(send('go home'));
    assert.equal(refused.status, 'rejected');
    assert.match(refused.reason ?? '', /latched/);
    // The retained state (2 Hz) says so too.
    const state = await until(() => states.find((s) => s.mode === 'estopped'), 'an estopped state', 5000);
    assert.equal(state.safety.estop, true);
    assert.ok(states.some((s) => s.mode === 'running' && s.loopRateHz > 0), 'a running state before the stop');
  });

  it('armstack intent "pick the red box" --json prints the intent', async () => {
    const r = await runCli(['intent', 'pick the red box', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lastJsonLine(r.stdout), { input: 'pick the red box', text: 'pick the red box', confidence: 1, intent: { intent: 'pick', color: 'red', object: 'box' } });
  });
});
