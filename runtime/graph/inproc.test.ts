import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeGraphContract } from './graph.contract.js';
import { InProcGraph } from './inproc.js';
import type { IncompatibleQosEvent } from './inproc-topic.js';
import { ManualTimerScheduler } from './timer-scheduler.js';
import { QoS } from './types.js';

describeGraphContract('inproc', () => new InProcGraph());

const STRING = 'std_msgs/msg/String';
const INT = 'std_msgs/msg/Int32';
interface IntMsg { data: number }

function manualGraph(extra: ConstructorParameters<typeof InProcGraph>[0] = {}): InProcGraph {
  return new InProcGraph({ delivery: 'manual', ...extra });
}

describe('InProcGraph (in-process specifics)', () => {
  it('delivers the published object itself (zero-copy)', async () => {
    const graph = new InProcGraph();
    const node = graph.createNode('zero_copy');
    const received: object[] = [];
    node.createSubscription<object>(STRING, '/zc', (m) => received.push(m));
    const msg = { data: 'same object' };
    node.createPublisher<object>(STRING, '/zc').publish(msg);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received[0], msg);
    await graph.shutdown();
  });

  it('in manual mode delivers only on spinOnce/drain; a turn serves what was queued before it', () => {
    const graph = manualGraph();
    const node = graph.createNode('manual');
    const log: string[] = [];
    const echo = node.createPublisher<IntMsg>(INT, '/echo');
    node.createSubscription<IntMsg>(INT, '/in', (m) => {
      log.push(`in ${m.data}`);
      echo.publish({ data: m.data * 10 });
    });
    node.createSubscription<IntMsg>(INT, '/echo', (m) => log.push(`echo ${m.data}`));
    const pub = node.createPublisher<IntMsg>(INT, '/in');
    pub.publish({ data: 1 });
    pub.publish({ data: 2 });
    assert.deepStrictEqual(log, []);
    assert.equal(graph.pending, 2);
    assert.equal(graph.spinOnce(), 2);
    assert.deepStrictEqual(log, ['in 1', 'in 2']);
    assert.equal(graph.pending, 2);
    assert.equal(graph.drain(), 2);
    assert.deepStrictEqual(log, ['in 1', 'in 2', 'echo 10', 'echo 20']);
    assert.equal(graph.drain(), 0);
  });

  it('drain gives up on callbacks that keep publishing to each other', () => {
    const graph = manualGraph();
    const node = graph.createNode('ping_pong');
    const ping = node.createPublisher<IntMsg>(INT, '/ping');
    const pong = node.createPublisher<IntMsg>(INT, '/pong');
    node.createSubscription<IntMsg>(INT, '/ping', (m) => pong.publish(m));
    node.createSubscription<IntMsg>(INT, '/pong', (m) => ping.publish(m));
    ping.publish({ data: 0 });
    assert.throws(() => graph.drain(50), /InProcGraph#drain: 1 messages still pending after 50 turns/);
  });

  it('keeps publish order across topics, also when a keep_last queue drops', () => {
    const graph = manualGraph();
    const node = graph.createNode('order');
    const log: string[] = [];
    node.createSubscription<IntMsg>(INT, '/s', (m) => log.push(`s${m.data}`), { depth: 1 });
    node.createSubscription<IntMsg>(INT, '/t', (m) => log.push(`t${m.data}`));
    const s = node.createPublisher<IntMsg>(INT, '/s');
    const t = node.createPublisher<IntMsg>(INT, '/t');
    s.publish({ data: 1 });
    t.publish({ data: 1 });
    s.publish({ data: 2 });
    t.publish({ data: 2 });
    graph.drain();
    assert.deepStrictEqual(log, ['t1', 's2', 't2']);
    const stats = graph.topicStatistics().find((x) => x.topic === '/s')!;
    assert.deepStrictEqual([stats.published, stats.delivered, stats.dropped], [2, 1, 1]);
  });

  it('bounds a keep_last queue under a long burst and delivers the newest', () => {
    const graph = manualGraph();
    const node = graph.createNode('burst');
    const received: number[] = [];
    node.createSubscription<IntMsg>(INT, '/burst', (m) => received.push(m.data), { depth: 2 });
    const keepAll: number[] = [];
    node.createSubscription<IntMsg>(INT, '/burst', (m) => keepAll.push(m.data), { history: 'keep_all' });
    const pub = node.createPublisher<IntMsg>(INT, '/burst');
    for (let i = 0; i < 10_000; i++) pub.publish({ data: i });
    assert.equal(graph.pending, 2 + 10_000);
    graph.drain();
    assert.deepStrictEqual(received, [9998, 9999]);
    assert.equal(keepAll.length, 10_000);
    assert.equal(keepAll[9999], 9999);
    assert.equal(graph.topicStatistics()[0]!.dropped, 9998);
  });

  it('replays transient_local histories of several publishers in publish order', () => {
    const graph = manualGraph();
    const node = graph.createNode('replay');
    const a = node.createPublisher<IntMsg>(INT, '/r', { durability: 'transient_local', depth: 2 });
    const b = node.createPublisher<IntMsg>(INT, '/r', { durability: 'transient_local', depth: 2 });
    const volatile = node.createPublisher<IntMsg>(INT, '/r');
    a.publish({ data: 1 });
    b.publish({ data: 2 });
    volatile.publish({ data: 3 });
    a.publish({ data: 4 });
    b.publish({ data: 5 });
    a.publish({ data: 6 });
    const late: number[] = [];
    node.createSubscription<IntMsg>(INT, '/r', (m) => late.push(m.data), { durability: 'transient_local' });
    const small: number[] = [];
    node.createSubscription<IntMsg>(INT, '/r', (m) => small.push(m.data), { durability: 'transient_local', depth: 1 });
    graph.drain();
    assert.deepStrictEqual(late, [2, 4, 5, 6]);
    assert.deepStrictEqual(small, [6], "the subscription's own depth still applies");
  });

  it('reports incompatible QoS pairs to listeners', () => {
    const graph = manualGraph();
    const events: IncompatibleQosEvent[] = [];
    graph.onIncompatibleQos((e) => events.push(e));
    const node = graph.createNode('qos_events');
    node.createSubscription(STRING, '/q', () => {}, QoS.latched);
    node.createPublisher(STRING, '/q', QoS.sensorData);
    assert.equal(events.length, 1);
    assert.deepStrictEqual({ ...events[0], reason: '' }, {
      topic: '/q', type: STRING, publisherNode: 'qos_events', subscriptionNode: 'qos_events', reason: '',
    });
    assert.match(events[0]!.reason, /best_effort.*reliable.*volatile.*transient_local/);
  });

  it('reports callback errors and keeps delivering', () => {
    const errors: string[] = [];
    const graph = manualGraph({ onCallbackError: (e, where) => errors.push(`${where}: ${(e as Error).message}`) });
    const node = graph.createNode('faulty');
    const received: string[] = [];
    node.createSubscription<{ data: string }>(STRING, '/f', () => {
      throw new Error('boom');
    });
    node.createSubscription<{ data: string }>(STRING, '/f', (m) => received.push(m.data));
    node.createPublisher<{ data: string }>(STRING, '/f').publish({ data: 'ok' });
    graph.drain();
    assert.deepStrictEqual(received, ['ok']);
    assert.deepStrictEqual(errors, ['subscription to "/f" on node "faulty": boom']);
  });

  it('runs timers on a manual scheduler, for fast-sim', () => {
    const scheduler = new ManualTimerScheduler();
    const graph = manualGraph({ scheduler, nowMs: () => scheduler.nowMs });
    const node = graph.createNode('fast_sim');
    const fired: string[] = [];
    const pub = node.createPublisher<IntMsg>(INT, '/tick');
    const received: number[] = [];
    node.createSubscription<IntMsg>(INT, '/tick', (m) => received.push(m.data), { history: 'keep_all' });
    node.createTimer(10, () => {
      fired.push(`a@${scheduler.nowMs}`);
      pub.publish({ data: scheduler.nowMs });
    });
    const b = node.createTimer(25, () => fired.push(`b@${scheduler.nowMs}`));
    assert.equal(scheduler.advanceMs(50), 7);
    assert.deepStrictEqual(fired, ['a@10', 'a@20', 'b@25', 'a@30', 'a@40', 'a@50', 'b@50']);
    graph.drain();
    assert.deepStrictEqual(received, [10, 20, 30, 40, 50]);
    b.cancel();
    fired.length = 0;
    scheduler.advanceMs(10);
    assert.deepStrictEqual(fired, ['a@60']);
    assert.equal(graph.topicStatistics()[0]!.rateHz, 100);
  });

  it('measures the rate over a sliding window', () => {
    let nowMs = 0;
    const graph = manualGraph({ nowMs: () => nowMs, statsWindowMs: 1000 });
    const pub = graph.createNode('rate').createPublisher<IntMsg>(INT, '/rate');
    for (let i = 0; i < 50; i++) {
      pub.publish({ data: i });
      nowMs += 20;
    }
    assert.equal(graph.topicStatistics()[0]!.rateHz, 50);
    nowMs += 2000;
    assert.equal(graph.topicStatistics()[0]!.rateHz, 0);
  });

  it('refuses duplicate node names, substitutions, and undefined messages', () => {
    const graph = manualGraph();
    const node = graph.createNode('dup');
    assert.throws(() => graph.createNode('dup'), /a node named "dup" already exists/);
    assert.throws(() => node.createPublisher(STRING, '/a/{node}'), /substitutions/);
    const pub = node.createPublisher<unknown>(STRING, '/u');
    assert.throws(() => pub.publish(undefined), /InProcPublisher#publish: message on "\/u" is undefined/);
  });
});
