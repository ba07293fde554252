// The recorder inside the running sim stack, driven by MQTT intents through a real broker (the embedded aedes, and a
// real mosquitto the stack connects to as an external broker): record_start, record_stop and label get acks that
// say what happened or why not, and the episode holds joint states, camera frames and the operator's commands.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { connectLowLatency } from '../runtime/bridge/mqtt/client.js';
import { DEFAULT_TOPIC_PREFIX, robotTopics } from '../runtime/bridge/mqtt/topics.js';
import type { Ack, RobotState } from '../runtime/bridge/mqtt/schemas.js';
import { mosquittoMissing, startMosquitto, type MosquittoInstance } from '../runtime/bridge/mqtt/testing/mosquitto.js';
import { MsgTypes, type SceneState } from '../runtime/messages/index.js';
import { readMcapSummary } from '../runtime/recorder/read-mcap-summary.js';
import { readSidecar } from '../runtime/recorder/episode-sidecar.js';
import { parseLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { until } from './helpers/until.js';

const topics = robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: 'site1', robot: 'arm1' });
const FINAL = new Set(['done', 'failed', 'rejected']);

for (const kind of ['aedes', 'mosquitto'] as const) {
  const skip = kind === 'mosquitto' && !process.env.CI ? mosquittoMissing() ?? false : false;
  describe(`recorder in the sim stack, MQTT through ${kind}`, { skip }, () => {
    let stack: SimStack;
    let operator: MqttClient;
    let mosquitto: MosquittoInstance | undefined;
    let dir: string;
    const acks: Ack[] = [];
    const states: RobotState[] = [];
    const send = (text: string): Promise<Ack> => {
      const id = randomUUID();
      operator.publish(topics.cmd('operator'), JSON.stringify({ id, operator: 'operator', text, issuedAt: Date.now(), ttlMs: 10_000 }), { qos: 1 });
      return until(() => acks.find((a) => a.id === id && FINAL.has(a.status)), `final ack of "${text}"`);
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `armstack-stack-recorder-${kind}-`));
      let bridge = '{ port: 0, autonomous: false }';
      if (kind === 'mosquitto') {
        mosquitto = await startMosquitto({
          users: [{ username: 'operator', role: 'operator', password: 'operator-dev' }, { username: 'arm1', role: 'robot', password: 'arm1-dev' }],
        });
        bridge = `{ embedded: false, url: "${mosquitto.url}", autonomous: false }`;
        process.env.ARMSTACK_ROBOT_PASSWORD = 'arm1-dev';
      }
      const launch = parseLaunchDescription(
        `version: 1\nname: recorder-test\nsim: { cloth: true }\nbridge: ${bridge}\n` +
        `recorder: { outDir: "${dir}", cameras: [overhead], cameraFps: 10, imageFormat: raw, episodeTimeS: 600, resetTimeS: 0, minFreeBytes: 0, task: "towel to bin" }\n`,
        'test',
      );
      stack = new SimStack(launch, { headless: true, fast: true, bridge: true, log: () => undefined });
      await stack.start();
      delete process.env.ARMSTACK_ROBOT_PASSWORD;
      operator = connectLowLatency(stack.bridge!.url, {
        username: 'operator', password: 'operator-dev', protocolVersion: kind === 'mosquitto' ? 5 : 4, reconnectPeriod: 0,
        clientId: `operator-${randomUUID().slice(0, 8)}`,
      });
      await new Promise((resolve, reject) => operator.once('connect', resolve).once('error', reject));
      operator.on('message', (topic, payload) => {
        if (topic === topics.ack) acks.push(JSON.parse(payload.toString('utf8')) as Ack);
        if (topic === topics.state) states.push(JSON.parse(payload.toString('utf8')) as RobotState);
      });
      await operator.subscribeAsync([topics.ack, topics.state], { qos: 1 });
    });

    after(async () => {
      delete process.env.ARMSTACK_ROBOT_PASSWORD;
      await operator?.endAsync();
      await stack?.close();
      await mosquitto?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses record_stop and label before any episode, saying why', async () => {
      const stop = await send('stop recording');
      assert.equal(stop.status, 'failed');
      assert.match(stop.reason ?? '', /no episode is being recorded/);
      const label = await send('mark it as a success');
      assert.equal(label.status, 'failed');
      assert.match(label.reason ?? '', /no episode to label/);
    });

    it('record_start, commands, label, record_stop: acks name the episode; the MCAP holds the streams', async () => {
      const start = await send('start recording');
      assert.equal(start.status, 'done', JSON.stringify(start));
      assert.match(start.reason ?? '', /^recording episode 0 to .*episode_000000\.mcap \(limit 600 s\)$/);
      assert.equal(stack.recorder?.recording, true);
      const again = await send('start recording');
      assert.equal(again.status, 'failed');
      assert.match(again.reason ?? '', /already recording episode 0/);
      await until(() => states.find((s) => s.recording), 'a state saying recording');

      assert.equal((await send('go home')).status, 'done');
      const label = await send('mark it as a success');
      assert.equal(label.status, 'done');
      assert.equal(label.reason, 'episode 0 labelled success (still recording)');
      await until(() => (stack.recorder!.recorder.status().elapsedS > 1 ? true : undefined), 'a second of recording');

      const stop = await send('stop recording');
      assert.equal(stop.status, 'done', JSON.stringify(stop));
      assert.match(stop.reason ?? '', /^episode 0 complete \(operator\), [\d.]+ s, \d+ frames, 0 dropped: .*episode_000000\.mcap$/);
      assert.equal(stack.recorder?.recording, false);

      const sidecar = readSidecar(join(dir, 'episode_000000.json'));
      assert.equal(sidecar.label, 'success');
      assert.equal(sidecar.operator, 'operator');
      assert.equal(sidecar.task, 'towel to bin');
      assert.equal(sidecar.object.category, 'cloth', 'the stack has a towel, so the episode says cloth');
      const summary = await readMcapSummary(join(dir, 'episode_000000.mcap'));
      const count = (topic: string): number => Number(summary.channels.find((c) => c.topic === topic)?.messageCount ?? 0);
      assert.ok(count('/joint_states') > 10, `joint states: ${count('/joint_states')}`);
      assert.ok(count('/arm_controller/joint_trajectory') > 10);
      assert.ok(count('/overhead/image_raw') >= 10, `frames: ${count('/overhead/image_raw')}`);
      assert.ok(count('/recorder/events') >= 4, 'start, the operator commands, label, stop');
    });

    it('a label after the stop applies to the episode just stopped', async () => {
      const label = await send('that was a failure');
      assert.equal(label.status, 'done');
      assert.equal(label.reason, 'episode 0 labelled failure');
      assert.equal(readSidecar(join(dir, 'episode_000000.json')).label, 'failure');
    });

    it('the /scene the dashboard gets holds the towel as a SceneObject of kind cloth', async () => {
      const node = stack.graph.createNode('scene_probe');
      let cloth: SceneState['objects'][number] | undefined;
      const sub = node.createSubscription<SceneState>(MsgTypes.SceneState, '/scene', (s) => {
        cloth ??= structuredClone(s.objects.find((o) => o.kind === 'cloth'));
      });
      await until(() => cloth, 'a /scene with the cloth');
      sub.destroy();
      assert.equal(cloth!.id, 'towel');
      assert.ok(cloth!.size.x > 0.2 && cloth!.size.y > 0.2, JSON.stringify(cloth!.size));
    });
  });
}

describe('launch description: recorder section', () => {
  it('fills defaults and names a bad field with its line', () => {
    const launch = parseLaunchDescription('version: 1\nname: t\n', 'test');
    assert.deepEqual(launch.recorder.cameras, ['overhead', 'wrist']);
    assert.equal(launch.recorder.episodeTimeS, 60);
    assert.equal(launch.recorder.imageFormat, 'auto');
    assert.throws(() => parseLaunchDescription('version: 1\nname: t\nrecorder:\n  cameras: [ceiling]\n', 'bad.yaml'),
      (e: Error) => /bad\.yaml.*recorder\.cameras\[0\]/.test(e.message) && /line 4/.test(e.message));
    assert.throws(() => parseLaunchDescription('version: 1\nname: t\nrecorder: { episodeTimeS: 0 }\n', 'bad.yaml'),
      (e: Error) => /recorder\.episodeTimeS must be > 0/.test(e.message));
  });
});
