import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageQueue } from './message-queue.js';
import { RateWindow } from './rate-window.js';
import { normalizeMessageType, resolveTopicName, topicNameError } from './names.js';
import { qosIncompatibility, resolveQoS } from './qos.js';
import { QoS } from './types.js';
import { createGraph } from './create-graph.js';
import { InProcGraph } from './inproc.js';
import { UserError } from '../errors.js';

describe('MessageQueue', () => {
  it('drops the oldest when bounded and grows when not', () => {
    const bounded = new MessageQueue(2);
    assert.equal(bounded.push('a', 1), false);
    assert.equal(bounded.push('b', 2), false);
    assert.equal(bounded.push('c', 3), true);
    assert.equal(bounded.peekSeq(), 2);
    assert.deepStrictEqual([bounded.shift(), bounded.shift(), bounded.shift()], ['b', 'c', undefined]);
    assert.equal(bounded.peekSeq(), -1);
    const unbounded = new MessageQueue(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 100; i++) assert.equal(unbounded.push(i, i), false);
    unbounded.shift();
    const seen: number[] = [];
    unbounded.forEach((m) => seen.push(m as number));
    assert.deepStrictEqual(seen, Array.from({ length: 99 }, (_, i) => i + 1));
  });
});

describe('RateWindow', () => {
  it('averages intervals inside the window', () => {
    const rate = new RateWindow(1000, 8);
    assert.equal(rate.rateHz(0), 0);
    for (let t = 0; t <= 100; t += 10) rate.record(t);
    assert.equal(rate.rateHz(100), 100);
    assert.equal(rate.rateHz(1050), 100, 'stamps 50..100 are still within 1 s');
    assert.equal(rate.rateHz(1200), 0);
    const burst = new RateWindow(1000);
    for (let i = 0; i < 5; i++) burst.record(7);
    assert.equal(burst.rateHz(7), 5, 'a burst in one tick counts over the window');
  });
});

describe('names', () => {
  it('resolves and validates like ROS 2', () => {
    assert.equal(resolveTopicName('t', 'a/b', 'n'), '/a/b');
    assert.equal(resolveTopicName('t', '~', 'n'), '/n');
    assert.equal(resolveTopicName('t', '~/x', 'n', '/ns'), '/ns/n/x');
    assert.equal(resolveTopicName('t', 'x', 'n', '/ns'), '/ns/x');
    assert.equal(topicNameError('/_private/a_1'), undefined);
    assert.throws(() => resolveTopicName('Where#m', 'a//b', 'n'), /^Error: Where#m: invalid topic name "a\/\/b": topic name must not contain \/\/$/);
    assert.throws(() => resolveTopicName('t', `/${'a'.repeat(300)}`, 'n'), /longer than 247/);
    assert.equal(normalizeMessageType('t', 'std_msgs/String'), 'std_msgs/msg/String');
    assert.equal(normalizeMessageType('t', 'std_msgs/msg/String'), 'std_msgs/msg/String');
    assert.throws(() => normalizeMessageType('t', 'std_msgs/srv/SetBool'), /invalid message type/);
  });
});

describe('QoS', () => {
  it('fills defaults and applies the compatibility rules', () => {
    assert.deepStrictEqual(resolveQoS('t', { depth: 3 }), { ...QoS.default, depth: 3 });
    assert.deepStrictEqual(resolveQoS('t', { history: 'keep_all', depth: 0 }).history, 'keep_all');
    assert.throws(() => resolveQoS('t', { reliability: 'sometimes' as never }), /reliability "sometimes"/);
    assert.equal(qosIncompatibility(QoS.default, QoS.sensorData), undefined);
    assert.equal(qosIncompatibility(QoS.latched, QoS.default), undefined);
    assert.match(qosIncompatibility(QoS.sensorData, QoS.default)!, /best_effort/);
    assert.match(qosIncompatibility(QoS.default, QoS.latched)!, /transient_local/);
  });
});

describe('createGraph', () => {
  it('creates the inproc backend, and explains why ros2 is unavailable', async (t) => {
    const graph = await createGraph('inproc');
    assert.ok(graph instanceof InProcGraph);
    await graph.shutdown();
    const saved = process.env['ROS_DISTRO'];
    t.after(() => {
      if (saved === undefined) delete process.env['ROS_DISTRO'];
      else process.env['ROS_DISTRO'] = saved;
    });
    delete process.env['ROS_DISTRO'];
    await assert.rejects(createGraph('ros2'), (e: Error) => e instanceof UserError && /not sourced/.test(e.message) && /inproc/.test(e.message));
    process.env['ROS_DISTRO'] = 'humble';
    await assert.rejects(createGraph('ros2'), (e: Error) => e instanceof UserError && /rclnodejs/.test(e.message));
    await assert.rejects(createGraph('zmq' as never), UserError);
  });
});
