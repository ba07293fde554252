import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ClientSession } from './client-session.js';
import { FrameStore } from './frame-store.js';
import { FakeWebSocket } from './testing/fake-web-socket.js';

function jointState(t: number, names = ['a', 'b']) {
  return {
    header: { stamp: { sec: 100, nanosec: t } },
    name: names,
    position: Float64Array.from(names, (_, i) => t + i),
  };
}

describe('ClientSession', () => {
  let nowMs = 0;
  beforeEach(() => {
    nowMs = 0;
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  function advance(ms: number): void {
    for (let i = 0; i < ms; i++) {
      nowMs++;
      mock.timers.tick(1);
    }
  }

  function setup(maxBufferedBytes = 1000) {
    const store = new FrameStore();
    const ws = new FakeWebSocket();
    const session = new ClientSession(1, ws, store, { minIntervalMs: 1000 / 30, maxBufferedBytes, nowMs: () => nowMs });
    return { store, ws, session };
  }

  it('sends the newest joint state at most 30 times a second', () => {
    const { store, ws, session } = setup();
    // 1 kHz publisher for one second.
    for (let t = 0; t < 1000; t++) {
      store.putJointState(jointState(t));
      session.notify();
      advance(1);
    }
    advance(100);
    const frames = ws.messages().filter((m) => m.op === 'joint_states');
    assert.ok(frames.length >= 28 && frames.length <= 32, `${frames.length} frames in 1 s`);
    // The last frame sent is the newest state, not a stale one.
    assert.equal(frames.at(-1)?.stampNs, '100000000999');
    assert.deepEqual(frames.at(-1)?.position, [999, 1000]);
    // Names go out once, before the first joint_states.
    const ops = ws.messages().map((m) => m.op);
    assert.equal(ops.indexOf('joint_names'), 0);
    assert.equal(ops.filter((o) => o === 'joint_names').length, 1);
  });

  it('drops frames for a slow client and sends only the newest once it drains', () => {
    const { store, ws, session } = setup(1000);
    store.putJointState(jointState(0));
    session.notify();
    advance(50);
    const sentBefore = ws.sent.length;
    ws.bufferedAmount = 10_000; // the client stopped reading
    for (let t = 1; t <= 200; t++) {
      store.putJointState(jointState(t));
      session.notify();
      advance(5);
    }
    assert.equal(ws.sent.length, sentBefore, 'nothing queued while backed up');
    assert.ok(session.stats.flushesDeferred > 0);
    ws.bufferedAmount = 0;
    advance(100);
    const after = ws.messages().slice(sentBefore);
    assert.equal(after.length, 1);
    assert.equal(after[0].stampNs, '100000000200');
  });

  it('follows subscribe: no joint_states after unsubscribing, latest scene on subscribing', () => {
    const { store, ws, session } = setup();
    session.setTopics(['/scene']);
    store.putJointState(jointState(1));
    session.notify();
    advance(100);
    assert.equal(ws.sent.length, 0);
    store.putScene({ header: { stamp: { sec: 1, nanosec: 0 } }, objects: [], bins: [] });
    session.notify();
    advance(100);
    assert.deepEqual(ws.messages().map((m) => m.op), ['scene']);
    session.setTopics(['/joint_states']);
    advance(100);
    assert.deepEqual(ws.messages().map((m) => m.op), ['scene', 'joint_names', 'joint_states']);
  });

  it('merges partial joint states into one growing name list', () => {
    const { store, ws, session } = setup();
    store.putJointState(jointState(1, ['a', 'b']));
    session.notify();
    advance(50);
    store.putJointState({ header: { stamp: { sec: 1, nanosec: 0 } }, name: ['grip', 'a'], position: [0.04, 9] });
    session.notify();
    advance(50);
    const msgs = ws.messages();
    assert.deepEqual(msgs.filter((m) => m.op === 'joint_names').map((m) => m.jointNames), [['a', 'b'], ['a', 'b', 'grip']]);
    assert.deepEqual(msgs.at(-1)?.position, [9, 2, 0.04]);
  });

  it('stops its timer on close', () => {
    const { store, ws, session } = setup();
    store.putJointState(jointState(1));
    session.notify();
    session.close();
    advance(100);
    assert.equal(ws.sent.length, 0);
  });
});
