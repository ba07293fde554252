import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { InProcGraph } from '../../runtime/graph/index.js';
import { MsgTypes, type JointState, type SceneState } from '../../runtime/messages/index.js';
import { DashboardServer } from './dashboard-server.js';
import { packageRoot as findPackageRoot } from '../../runtime/package-root.js';
import { ARMSTACK_WS_PROTOCOL, type ServerMessage } from './protocol.js';

const URDF_PATH = join(findPackageRoot(), 'runtime/robot/description/arm6.urdf');

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..` away). */
function rawGet(url: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
}

describe('DashboardServer over http + ws', () => {
  const work = mkdtempSync(join(tmpdir(), 'armstack-dash-'));
  const staticDir = join(work, 'client');
  let graph: InProcGraph;
  let server: DashboardServer;
  let url: string;
  let publishTimer: ReturnType<typeof setInterval>;
  let baselineTcp: number;

  before(async () => {
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>armstack test page</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(work, 'secret.txt'), 'TOP SECRET');
    baselineTcp = tcpHandles();

    graph = new InProcGraph();
    const robotNode = graph.createNode('fake_arm');
    const dashNode = graph.createNode('dashboard');
    const jointPub = robotNode.createPublisher<JointState>(MsgTypes.JointState, '/joint_states');
    const scenePub = robotNode.createPublisher<SceneState>(MsgTypes.SceneState, '/scene');
    let t = 0;
    publishTimer = setInterval(() => {
      t++;
      jointPub.publish({
        header: { stamp: { sec: 10, nanosec: t }, frame_id: '' },
        name: ['shoulder_pan', 'shoulder_lift'],
        position: Float64Array.of(Math.sin(t / 10), -1),
        velocity: [],
        effort: [],
      });
      if (t === 1) {
        scenePub.publish({
          header: { stamp: { sec: 10, nanosec: 0 }, frame_id: 'base_link' },
          objects: [{
            id: 'box1', kind: 'box', color: 'red', size: { x: 0.05, y: 0.05, z: 0.05 },
            pose: { position: { x: 0.4, y: 0, z: 0.025 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
            held: false, in_bin: 0,
          }],
          bins: [],
        });
      }
    }, 10);

    server = new DashboardServer({ node: dashNode, port: 0, staticDir, urdfPath: URDF_PATH, robotName: 'test_arm' });
    ({ url } = await server.start());
  });

  after(async () => {
    clearInterval(publishTimer);
    await server?.stop();
    await graph?.shutdown();
    rmSync(work, { recursive: true, force: true });
  });

  it('returns a url with the real port', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(new URL(url).port, '0');
  });

  it('serves the client, the URDF and health', async () => {
    const page = await rawGet(url, '/');
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body, /armstack test page/);
    const js = await rawGet(url, '/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(js.type, /^text\/javascript/);
    const urdf = await rawGet(url, '/robot.urdf');
    assert.equal(urdf.status, 200);
    assert.match(urdf.type, /^application\/xml/);
    assert.match(urdf.body, /<robot name="armstack_arm6"/);
    const health = await rawGet(url, '/healthz?x=1');
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).ok, true);
  });

  it('answers 404 for missing files and refuses traversal', async () => {
    assert.equal((await rawGet(url, '/nope.js')).status, 404);
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt']) {
      const res = await rawGet(url, path);
      assert.ok(res.status >= 400 && res.status < 500, `${path} -> ${res.status}`);
      assert.doesNotMatch(res.body, /TOP SECRET/, path);
    }
  });

  it('streams hello, joint names, joint states and the scene to a ws client', async () => {
    const ws = new WebSocket(new URL('ws', url).href.replace(/^http/, 'ws'), ARMSTACK_WS_PROTOCOL);
    const received: ServerMessage[] = [];
    ws.on('message', (data) => received.push(JSON.parse(String(data)) as ServerMessage));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, ARMSTACK_WS_PROTOCOL);
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && received.filter((m) => m.op === 'joint_states').length < 5) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(received[0].op, 'hello');
    const hello = received[0] as Extract<ServerMessage, { op: 'hello' }>;
    assert.equal(hello.robot, 'test_arm');
    assert.equal(hello.urdfUrl, 'robot.urdf');
    const names = [...hello.jointNames];
    for (const m of received) if (m.op === 'joint_names') names.splice(0, names.length, ...m.jointNames);
    assert.deepEqual(names, ['shoulder_pan', 'shoulder_lift']);
    const states = received.filter((m) => m.op === 'joint_states');
    assert.ok(states.length >= 5, `${states.length} joint_states`);
    assert.equal(states.at(-1)?.position[1], -1);
    assert.match(states.at(-1)?.stampNs ?? '', /^100000000\d\d+$/);
    const scene = received.find((m) => m.op === 'scene');
    assert.equal(scene?.objects[0]?.color, 'red');

    ws.send('{"op":"ping","id":3}');
    ws.send('not json');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(received.some((m) => m.op === 'pong' && m.id === 3));
    assert.ok(received.some((m) => m.op === 'status' && m.level === 'error' && /not valid JSON/.test(m.message)));

    // Rate bound: a 100 Hz publisher reaches the client at no more than ~30 Hz.
    const count0 = received.filter((m) => m.op === 'joint_states').length;
    await new Promise((r) => setTimeout(r, 500));
    const rate = (received.filter((m) => m.op === 'joint_states').length - count0) / 0.5;
    assert.ok(rate <= 34 && rate >= 10, `rate ${rate} Hz`);

    const closed = new Promise((r) => ws.once('close', r));
    ws.close();
    await closed;
  });

  it('rejects upgrades on other paths', async () => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'elsewhere');
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
    assert.match(err.message, /404/);
  });

  it('start() on a busy port rejects with the address and cleans up', async () => {
    const port = Number(new URL(url).port);
    const clash = new DashboardServer({ node: graph.createNode('clash'), port, staticDir, urdfPath: URDF_PATH, robotName: 'x' });
    await assert.rejects(clash.start(), /DashboardServer#start: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    assert.equal(clash.url, undefined);
  });

  it('stop() closes connected clients and leaves no handles open', async () => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'ws', ARMSTACK_WS_PROTOCOL);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    clearInterval(publishTimer);
    await server.stop();
    assert.equal(await closed, 1001);
    assert.equal(server.clientCount, 0);
    await graph.shutdown();
    // Only TCP handles are compared: the test runner keeps its own timers. A closed socket's handle goes on a
    // later turn of the event loop, later still on a busy machine: wait for it (bounded), then compare.
    for (let i = 0; i < 200 && tcpHandles() !== baselineTcp; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(tcpHandles(), baselineTcp, process.getActiveResourcesInfo().join(', '));
  });
});
