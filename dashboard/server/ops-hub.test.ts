import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { GraphNode } from '../../runtime/graph/index.js';
import { DashboardServer } from './dashboard-server.js';
import { EpisodeLibrary } from './episode-library.js';
import { OpsHub } from './ops-hub.js';
import type { RecorderPort } from './recorder-port.js';
import { FakeWebSocket } from './testing/fake-web-socket.js';

type Msg = { op: string; [k: string]: unknown };

function server(): DashboardServer {
  // handleConnection needs no listener and no graph traffic: the node is never touched before start().
  return new DashboardServer({ node: {} as GraphNode, port: 0, urdfPath: '/nonexistent.urdf', robotName: 'arm1', staticDir: '/nonexistent', log: () => {} });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const last = (ws: FakeWebSocket): Msg => ws.messages().at(-1) as Msg;

describe('OpsHub behind DashboardServer', () => {
  it('without an operations side, every operations op is refused with a status', async () => {
    const s = server();
    const ws = new FakeWebSocket();
    s.handleConnection(ws);
    ws.receive('{"op":"watch","streams":["fleet"]}');
    await settle();
    assert.match(String(last(ws).message), /watch refused: this dashboard has no operations side/);
  });

  it('answers malformed operations ops with an error naming the field and stays up', async () => {
    const s = server();
    const hub = new OpsHub({ localRobot: 'arm1' });
    s.useOps(hub);
    const ws = new FakeWebSocket();
    s.handleConnection(ws);
    assert.ok(ws.messages().some((m) => m.op === 'cameras'), 'a new client learns the cameras');
    for (const [text, want] of [
      ['{"op":"watch","streams":[1]}', /watch\.streams\[0\]/],
      ['{"op":"camera_subscribe","cameras":["nope"]}', /no camera named nope/],
      ['{"op":"recorder_start","object":"towel"}', /recorder_start\.object must be an object/],
      ['{"op":"recorder_stop"}', /recorder_stop refused: this dashboard has no recorder/],
      ['{"op":"episodes_list"}', /episodes_list refused: this dashboard has no episode folder/],
      ['{"op":"episode_frame","name":"a","camera":"b"}', /episode_frame\.timeS is required/],
    ] as const) {
      const before = ws.sent.length;
      ws.receive(text);
      await settle();
      assert.equal(ws.sent.length, before + 1, `${text}: one reply`);
      const reply = last(ws);
      assert.equal(reply.op, 'status');
      assert.equal(reply.level, 'error');
      assert.match(String(reply.message), want);
    }
    assert.equal(s.clientCount, 1);
    await hub.stop();
  });

  it('streams the fleet to watchers only, throttled, and only when it changed', async () => {
    const s = server();
    const hub = new OpsHub({ localRobot: 'arm1', fleetRateHz: 20 });
    s.useOps(hub);
    const watcher = new FakeWebSocket();
    const idle = new FakeWebSocket();
    s.handleConnection(watcher);
    s.handleConnection(idle);
    watcher.receive('{"op":"watch","streams":["fleet"]}');
    for (let i = 1; i <= 20; i++) {
      hub.fleet.handleMessage(`armstack/v1/site1/arm${i}/state`, Buffer.from(JSON.stringify({
        mode: 'running', task: null, safety: { estop: false, holding: false }, loopRateHz: 10, recording: i === 3, seq: 1, at: Date.now(),
      })));
    }
    await until('a fleet message with 20 robots', () => watcher.messages().some((m) => m.op === 'fleet' && (m.robots as unknown[]).length === 20));
    const fleet = watcher.messages().find((m) => m.op === 'fleet')!;
    const robots = fleet.robots as { robot: string; local: boolean; recording: boolean }[];
    assert.deepEqual(robots.slice(0, 3).map((r) => r.robot), ['arm1', 'arm2', 'arm3'], 'numeric order');
    assert.equal(robots[0].local, true);
    assert.equal(robots[2].recording, true);
    const count = watcher.messages().filter((m) => m.op === 'fleet').length;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(watcher.messages().filter((m) => m.op === 'fleet').length <= count + 1, 'no repeats of an unchanged fleet (one refresh a second at most)');
    assert.equal(idle.messages().filter((m) => m.op === 'fleet').length, 0, 'a client that does not watch gets nothing');
    await hub.stop();
  });

  it('a slow client gets no stream messages while backed up, then the newest', async () => {
    const s = server();
    const hub = new OpsHub({ fleetRateHz: 20, maxBufferedBytes: 1000 });
    s.useOps(hub);
    const ws = new FakeWebSocket();
    s.handleConnection(ws);
    ws.receive('{"op":"watch","streams":["fleet","log"]}');
    await settle();
    ws.bufferedAmount = 10_000;
    const before = ws.sent.length;
    for (let i = 0; i < 2000; i++) hub.fleet.handleMessage('armstack/v1/s/arm1/events', Buffer.from(JSON.stringify({ type: 'command', message: `m${i}`, at: i })));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ws.sent.length, before, 'nothing while backed up');
    ws.bufferedAmount = 0;
    await until('the log', () => ws.messages().some((m) => m.op === 'log'));
    const log = ws.messages().find((m) => m.op === 'log')!;
    const entries = log.entries as { text: string }[];
    assert.ok(entries.length <= 200, 'bounded batch');
    assert.equal(entries.at(-1)!.text, 'command: m1999', 'the newest entries');
    await hub.stop();
  });

  it('recorder ops: viewers are refused, operators reach the recorder', async () => {
    const calls: string[] = [];
    const recorder: RecorderPort = {
      apply: async (msg, operator) => {
        calls.push(`${msg.op}:${operator}`);
        if (msg.op === 'recorder_discard') throw new Error('nothing to discard');
        return 'ok';
      },
      status: () => ({ available: true, phase: 'idle', episodeIndex: null, elapsedS: 0, nextEpisodeIndex: 1, label: null, notes: '', task: null }),
    };
    const hub = new OpsHub({ recorder });
    const viewer = new FakeWebSocket();
    const operator = new FakeWebSocket();
    const peer = (ws: FakeWebSocket) => ({ ws, send: (m: object) => (ws.send(JSON.stringify(m)), true) });
    const v = peer(viewer);
    const o = peer(operator);
    hub.attach(v, 'viewer', 'viewer');
    hub.attach(o, 'operator', 'operator');
    await hub.handle(v, { op: 'recorder_start' });
    assert.match(String(last(viewer).message), /viewers cannot control the recorder/);
    await hub.handle(o, { op: 'recorder_start', task: 'fold' });
    assert.ok(operator.messages().some((m) => m.op === 'status' && m.level === 'info' && m.message === 'ok'));
    assert.equal(last(operator).op, 'recorder_status');
    await hub.handle(o, { op: 'recorder_discard' });
    assert.ok(operator.messages().some((m) => m.op === 'status' && m.level === 'error' && /recorder_discard failed: nothing to discard/.test(String(m.message))));
    assert.deepEqual(calls, ['recorder_start:operator', 'recorder_discard:operator']);
    await hub.stop();
  });

  it('episodes: an empty folder lists nothing; an unknown name is an error, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'armstack-episodes-'));
    try {
      const hub = new OpsHub({ episodes: new EpisodeLibrary(dir) });
      const ws = new FakeWebSocket();
      const p = { ws, send: (m: object) => (ws.send(JSON.stringify(m)), true) };
      hub.attach(p);
      await hub.handle(p, { op: 'episodes_list' });
      assert.deepEqual(last(ws), { op: 'episodes', episodes: [], dir });
      await hub.handle(p, { op: 'episode_load', name: 'episode_000009' });
      assert.match(String(last(ws).message), /episode_load failed: no episode named episode_000009/);
      await hub.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
