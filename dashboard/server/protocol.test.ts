import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GraphNode } from '../../runtime/graph/index.js';
import { DashboardServer } from './dashboard-server.js';
import {
  ARMSTACK_WS_PROTOCOL,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientMessage,
  stampToNs,
  validateClientMessage,
} from './protocol.js';
import { FakeWebSocket } from './testing/fake-web-socket.js';
import { mulberry32 } from '../../runtime/random.js';

function errorOf(value: unknown): string {
  const r = validateClientMessage(value);
  assert.equal(r.ok, false, `expected ${JSON.stringify(value)} to be rejected`);
  return r.ok ? '' : r.error;
}

describe('validateClientMessage', () => {
  it('accepts well-formed messages', () => {
    assert.deepEqual(validateClientMessage({ op: 'ping' }), { ok: true, msg: { op: 'ping' } });
    assert.deepEqual(validateClientMessage({ op: 'ping', id: 7 }), { ok: true, msg: { op: 'ping', id: 7 } });
    assert.deepEqual(validateClientMessage({ op: 'subscribe', topics: ['/scene', '/joint_states', '/scene'] }), {
      ok: true,
      msg: { op: 'subscribe', topics: ['/scene', '/joint_states'] },
    });
    assert.deepEqual(validateClientMessage({ op: 'subscribe', topics: [] }), { ok: true, msg: { op: 'subscribe', topics: [] } });
  });

  it('names the problem in malformed messages', () => {
    assert.match(errorOf(null), /JSON object, got null/);
    assert.match(errorOf([1, 2]), /JSON object, got array/);
    assert.match(errorOf('ping'), /JSON object, got string/);
    assert.match(errorOf({}), /message\.op must be a string, got undefined/);
    assert.match(errorOf({ op: 3 }), /message\.op must be a string, got number/);
    assert.match(errorOf({ op: 'teleport' }), /unknown op 'teleport'.*subscribe, ping/);
    assert.match(errorOf({ op: 'subscribe' }), /subscribe\.topics must be an array, got undefined/);
    assert.match(errorOf({ op: 'subscribe', topics: '/scene' }), /subscribe\.topics must be an array, got string/);
    assert.match(errorOf({ op: 'subscribe', topics: ['/scene', '/camera'] }), /subscribe\.topics\[1\] must be one of/);
    assert.match(errorOf({ op: 'subscribe', topics: [{}] }), /subscribe\.topics\[0\]/);
    assert.match(errorOf({ op: 'subscribe', topics: [], extra: 1 }), /subscribe: unknown field 'extra'/);
    assert.match(errorOf({ op: 'ping', id: 1.5 }), /ping\.id must be a safe integer/);
    assert.match(errorOf({ op: 'ping', id: '1' }), /ping\.id must be a safe integer, got string/);
  });

  it('parses text frames without throwing', () => {
    assert.match((parseClientMessage('{op:') as { error: string }).error, /not valid JSON/);
    assert.match((parseClientMessage('') as { error: string }).error, /not valid JSON/);
    const huge = JSON.stringify({ op: 'ping', pad: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES) });
    assert.match((parseClientMessage(huge) as { error: string }).error, /too large/);
    assert.deepEqual(parseClientMessage('{"op":"ping"}'), { ok: true, msg: { op: 'ping' } });
  });

  it('converts ROS stamps to exact nanosecond strings', () => {
    assert.equal(stampToNs({ sec: 1_700_000_000, nanosec: 123_456_789 }), '1700000000123456789');
    assert.equal(stampToNs({ sec: 0, nanosec: 5 }), '5');
    assert.equal(stampToNs({ sec: Number.NaN, nanosec: 0 }), '0');
  });
});

const rng = mulberry32;

function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return (r() - 0.5) * 10 ** Math.floor(r() * 20);
    case 3: return ['ping', 'subscribe', 'hello', 'op', '/scene', '', '__proto__', 'constructor'][Math.floor(r() * 8)];
    case 4: return String.fromCharCode(...Array.from({ length: Math.floor(r() * 12) }, () => Math.floor(r() * 0xd7ff)));
    case 5: return Math.floor(r() * 3);
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      if (r() < 0.8) obj.op = randomValue(r, depth + 1);
      const keys = ['topics', 'id', 'op', 'x', '__proto__'];
      for (let i = Math.floor(r() * 3); i > 0; i--) obj[keys[Math.floor(r() * keys.length)]] = randomValue(r, depth + 1);
      return obj;
    }
  }
}

/** A junk frame: random JSON, torn JSON, random bytes, or a binary frame. */
function randomFrame(r: () => number): { data: unknown; isBinary: boolean } {
  const kind = r();
  if (kind < 0.6) return { data: JSON.stringify(randomValue(r)) ?? 'undefined', isBinary: false };
  if (kind < 0.75) {
    const text = JSON.stringify(randomValue(r)) ?? '';
    return { data: text.slice(0, Math.floor(r() * text.length)), isBinary: false };
  }
  if (kind < 0.9) return { data: Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))), isBinary: false };
  return { data: Buffer.from([1, 2, 3]), isBinary: true };
}

describe('DashboardServer#handleConnection with junk', () => {
  it('answers 1,000 random messages, one reply each, and stays up', () => {
    // handleConnection needs no listener and no graph traffic: the node is never touched before start().
    const server = new DashboardServer({
      node: {} as GraphNode,
      port: 0,
      urdfPath: '/nonexistent.urdf',
      robotName: 'fuzz',
      staticDir: '/nonexistent',
      log: () => {},
    });
    const ws = new FakeWebSocket();
    server.handleConnection(ws);
    const hello = ws.messages()[0];
    assert.equal(hello.op, 'hello');
    assert.equal(hello.version, ARMSTACK_WS_PROTOCOL);

    const r = rng(0xa57ac);
    let statusErrors = 0;
    for (let i = 0; i < 1000; i++) {
      const before = ws.sent.length;
      const frame = randomFrame(r);
      assert.doesNotThrow(() => ws.receive(frame.data, frame.isBinary));
      assert.equal(ws.sent.length, before + 1, `message ${i} (${String(frame.data).slice(0, 60)}) got no single reply`);
      const reply = JSON.parse(ws.sent[before]) as { op: string; level?: string; message?: string };
      assert.ok(reply.op === 'status' || reply.op === 'pong', `message ${i}: reply op ${reply.op}`);
      if (reply.op === 'status') {
        assert.ok(typeof reply.message === 'string' && reply.message.length > 0);
        if (reply.level === 'error') statusErrors++;
      }
    }
    assert.ok(statusErrors > 900, `most junk is an error (${statusErrors})`);
    assert.equal(server.clientCount, 1);

    // Still serving a well-formed client afterwards.
    ws.receive('{"op":"ping","id":42}');
    assert.deepEqual(ws.messages().at(-1), { op: 'pong', id: 42 });
  });
});
