// The dashboard's front door under abuse, against the real sim stack's dashboard: the one-time login link
// works once and not twice, a foreign Origin and a missing session are refused at the upgrade, and seeded random,
// malformed and oversized WebSocket messages leave the server up and answering.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type WebSocket from 'ws';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { MAX_CLIENT_MESSAGE_BYTES } from '../dashboard/server/protocol.js';
import { root } from './helpers/browser.js';
import { collect, openSocket, passwordLogin, redeemLoginUrl, waitForMessage } from './helpers/dashboard-login.js';
import { mulberry32 } from '../runtime/random.js';

const prng = mulberry32;

const OPS = ['subscribe', 'ping', 'take_control', 'release_control', 'jog_joint', 'jog_cartesian', 'goto_pose', 'gripper', 'speed', 'estop_reset', 'nope', ''];

function randomValue(rand: () => number, depth = 0): unknown {
  const r = rand();
  if (depth > 3 || r < 0.15) return rand() < 0.5 ? Math.floor(rand() * 2e9) - 1e9 : rand() * 10 - 5;
  if (r < 0.25) return ['NaN', 'Infinity', '', '🤖', 'x'.repeat(Math.floor(rand() * 300))][Math.floor(rand() * 5)];
  if (r < 0.32) return null;
  if (r < 0.4) return rand() < 0.5;
  if (r < 0.7) return Array.from({ length: Math.floor(rand() * 8) }, () => randomValue(rand, depth + 1));
  const obj: Record<string, unknown> = {};
  for (const k of ['x', 'y', 'z', 'w', 'position', 'orientation', 'velocity', 'topics', 'id', 'scale', 'action', 'pose', '__proto__', 'constructor']) {
    if (rand() < 0.3) obj[k] = randomValue(rand, depth + 1);
  }
  return obj;
}

function randomFrame(rand: () => number): string | Buffer {
  const kind = rand();
  if (kind < 0.1) return Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
  if (kind < 0.2) return JSON.stringify(randomValue(rand)).slice(0, Math.floor(rand() * 60));
  if (kind < 0.25) return '{"op":"ping"'.repeat(Math.floor(rand() * 5));
  const msg: Record<string, unknown> = { op: OPS[Math.floor(rand() * OPS.length)] };
  for (const k of ['velocity', 'linear', 'angular', 'pose', 'action', 'scale', 'topics', 'id', 'force', 'extra']) {
    if (rand() < 0.35) msg[k] = randomValue(rand);
  }
  return JSON.stringify(msg);
}

describe('dashboard front door', { timeout: 90_000 }, () => {
  const launch = loadLaunchDescription(join(root, 'launch/sim.launch.yaml'));
  const stack = new SimStack(launch, { port: 0, seed: 5, bridge: false, log: () => undefined });
  let base = '';
  before(async () => {
    await stack.start();
    base = stack.url!;
  });
  after(async () => {
    await stack.stop();
    await stack.close();
  });

  it('the one-time login link works once and not twice', async () => {
    const url = stack.loginUrl()!;
    const first = await redeemLoginUrl(url);
    assert.equal(first.status, 302);
    assert.equal(first.location, '/', 'the token is dropped from the address');
    assert.match(first.cookie ?? '', /^armstack_session=/);
    const ws = await openSocket(base, { cookie: first.cookie! });
    const msgs = collect(ws);
    const identity = await waitForMessage(msgs, (m) => m.op === 'identity', 'identity');
    assert.equal(identity.role, 'supervisor');
    ws.close();

    const second = await redeemLoginUrl(url);
    assert.equal(second.status, 302);
    assert.equal(second.cookie, undefined, 'no session the second time');
    assert.match(second.location ?? '', /login=token-invalid/);
  });

  it('refuses an upgrade without a session, and one from a foreign Origin even with a session', async () => {
    await assert.rejects(openSocket(base, {}), (e: { statusCode?: number }) => e.statusCode === 401);
    const cookie = await passwordLogin(base, 'operator', 'operator-dev');
    await assert.rejects(openSocket(base, { cookie, origin: 'http://evil.example' }), (e: { statusCode?: number }) => e.statusCode === 403);
    const host = new URL(base).host;
    const ok = await openSocket(base, { cookie, origin: `http://${host}` });
    ok.close();
    const bad = await fetch(new URL('api/login', base), { method: 'POST', body: '{"username":"operator","password":"nope"}' });
    assert.equal(bad.status, 401);
  });

  it('survives seeded random, malformed and oversized messages, and keeps answering', async () => {
    const cookie = await passwordLogin(base, 'operator', 'operator-dev');
    const rand = prng(0xa11ce);
    let ws: WebSocket = await openSocket(base, { cookie });
    let msgs = collect(ws);
    let sent = 0;
    for (let round = 0; round < 2000; round++) {
      if (ws.readyState !== ws.OPEN) {
        ws = await openSocket(base, { cookie });
        msgs = collect(ws);
      }
      ws.send(randomFrame(rand));
      sent++;
      // Now and then a frame over the server's limits: the message cap (error status) or the socket's payload
      // cap (the socket is closed by ws with 1009; the server stays up and we reconnect).
      if (round % 400 === 0) ws.send(JSON.stringify({ op: 'ping', pad: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES + 10) }));
      if (round % 1000 === 999) ws.send('x'.repeat(MAX_CLIENT_MESSAGE_BYTES * 8));
      if (round % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.ok(sent >= 2000);
    if (ws.readyState === ws.OPEN) ws.close();
    // Still up: a fresh socket gets its hello and a pong, and health answers.
    const fresh = await openSocket(base, { cookie });
    const replies = collect(fresh);
    await waitForMessage(replies, (m) => m.op === 'hello', 'hello');
    fresh.send(JSON.stringify({ op: 'ping', id: 7 }));
    await waitForMessage(replies, (m) => m.op === 'pong' && m.id === 7, 'pong');
    fresh.send(JSON.stringify({ op: 'jog_joint', velocity: [2] }));
    const err = await waitForMessage(replies, (m) => m.op === 'status' && m.level === 'error', 'an error status');
    assert.match(String(err.message), /jog_joint\.velocity\[0\] must be within \[-1, 1\]/);
    fresh.close();
    const health = await (await fetch(new URL('healthz', base))).json() as { ok: boolean };
    assert.equal(health.ok, true);
    assert.equal(stack.loop.running, true, 'the control loop kept running');
  });
});
