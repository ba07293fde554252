// The behaviour every Graph backend must show, as node:test suites. A backend's test file calls
// describeGraphContract('name', () => new ItsGraph()). Only the public Graph API is used, delivery is awaited
// in real time, and every test uses its own topic and node names, so a DDS-backed graph can run it too.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SETTLE_MS, sleep, uniqueName, waitFor } from './graph-contract-helpers.js';
import { describeParameterAndTimerContract } from './graph-contract-parameters.js';
import type { Graph, GraphNode, QoSProfile, TopicStatistics } from './types.js';
import { QoS } from './types.js';

const STRING = 'std_msgs/msg/String';
const INT = 'std_msgs/msg/Int32';

interface StringMsg { data: string }
interface IntMsg { data: number }

function statsOf(graph: Graph, topic: string): TopicStatistics {
  const stats = graph.topicStatistics().find((s) => s.topic === topic);
  assert.ok(stats, `topicStatistics() has an entry for ${topic}`);
  return stats;
}

export function describeGraphContract(backendName: string, makeGraph: () => Graph | Promise<Graph>): void {
  describe(`Graph contract: ${backendName}`, () => {
    let graph: Graph;
    let node: GraphNode;
    let topic: string;

    beforeEach(async () => {
      graph = await makeGraph();
      node = graph.createNode(uniqueName('node'));
      topic = `/${uniqueName('topic')}`;
    });
    afterEach(async () => {
      await graph.shutdown();
    });

    /** Subscribes with a collecting callback. */
    function collect<T>(type: string, qos?: Partial<QoSProfile>, on: GraphNode = node, name = topic): T[] {
      const received: T[] = [];
      on.createSubscription<T>(type, name, (msg) => received.push(msg), qos);
      return received;
    }

    describe('publish and subscribe', () => {
      it('delivers the message, never inside publish()', async () => {
        const received = collect<StringMsg>(STRING);
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        assert.equal(pub.topic, topic);
        assert.equal(pub.type, STRING);
        pub.publish({ data: 'hello' });
        assert.equal(received.length, 0, 'delivery waits for an executor turn');
        await waitFor(() => received.length === 1, 'the message');
        assert.deepStrictEqual(received[0], { data: 'hello' });
      });

      it('accepts the short type name pkg/Name as pkg/msg/Name', async () => {
        const received = collect<StringMsg>('std_msgs/String');
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        pub.publish({ data: 'x' });
        await waitFor(() => received.length === 1, 'the message');
        assert.equal(pub.type, STRING);
      });

      it('delivers in publish order', async () => {
        const received = collect<IntMsg>(INT, { history: 'keep_all' });
        const pub = node.createPublisher<IntMsg>(INT, topic, { history: 'keep_all' });
        for (let i = 0; i < 100; i++) pub.publish({ data: i });
        await waitFor(() => received.length === 100, '100 messages');
        assert.deepStrictEqual(received.map((m) => m.data), Array.from({ length: 100 }, (_, i) => i));
      });

      it('fans out to every matched subscription, across nodes', async () => {
        const other = graph.createNode(uniqueName('other'));
        const a = collect<StringMsg>(STRING);
        const b = collect<StringMsg>(STRING, undefined, other);
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        await waitFor(() => pub.subscriptionCount() === 2, 'two matched subscriptions');
        pub.publish({ data: 'both' });
        await waitFor(() => a.length === 1 && b.length === 1, 'both subscriptions');
        assert.deepStrictEqual(statsOf(graph, topic).delivered, 2);
      });

      it('keep_last drops the oldest when a queue overflows before it is drained', async () => {
        const received = collect<IntMsg>(INT, { history: 'keep_last', depth: 3 });
        const pub = node.createPublisher<IntMsg>(INT, topic, { history: 'keep_all' });
        await waitFor(() => pub.subscriptionCount() === 1, 'the match');
        for (let i = 0; i < 10; i++) pub.publish({ data: i });
        await waitFor(() => received.length > 0 && received.at(-1)!.data === 9, 'the last message');
        await sleep(SETTLE_MS);
        const data = received.map((m) => m.data);
        assert.ok(data.length <= 3, `at most depth (3) messages arrive, got ${data.join(',')}`);
        assert.deepStrictEqual(data, [...data].sort((x, y) => x - y), 'in order');
        const stats = statsOf(graph, topic);
        assert.equal(stats.published, 10);
        assert.equal(stats.delivered, data.length);
        assert.equal(stats.dropped, 10 - data.length);
      });

      it('keep_all with reliable never drops', async () => {
        const received = collect<IntMsg>(INT, { history: 'keep_all', reliability: 'reliable' });
        const pub = node.createPublisher<IntMsg>(INT, topic, { history: 'keep_all' });
        for (let i = 0; i < 500; i++) pub.publish({ data: i });
        await waitFor(() => received.length === 500, '500 messages');
        assert.equal(statsOf(graph, topic).dropped, 0);
      });
    });

    describe('QoS compatibility', () => {
      it('a best_effort publisher does not serve a reliable subscription, and says so', async () => {
        const reliable = collect<StringMsg>(STRING, { reliability: 'reliable' });
        const bestEffort = collect<StringMsg>(STRING, { reliability: 'best_effort' });
        const pub = node.createPublisher<StringMsg>(STRING, topic, { reliability: 'best_effort' });
        await waitFor(() => pub.subscriptionCount() === 1, 'the compatible match');
        pub.publish({ data: 'x' });
        await waitFor(() => bestEffort.length === 1, 'the best_effort subscription');
        await sleep(SETTLE_MS);
        assert.equal(reliable.length, 0);
        assert.ok(statsOf(graph, topic).incompatibleQos >= 1, 'the incompatible pair is counted');
      });

      it('a reliable publisher serves best_effort and reliable subscriptions', async () => {
        const a = collect<StringMsg>(STRING, QoS.sensorData);
        const b = collect<StringMsg>(STRING, QoS.default);
        const pub = node.createPublisher<StringMsg>(STRING, topic, QoS.default);
        await waitFor(() => pub.subscriptionCount() === 2, 'two matches');
        pub.publish({ data: 'x' });
        await waitFor(() => a.length === 1 && b.length === 1, 'both');
        assert.equal(statsOf(graph, topic).incompatibleQos, 0);
      });

      it('a volatile publisher does not serve a transient_local subscription', async () => {
        const latched = collect<StringMsg>(STRING, { durability: 'transient_local' });
        const volatile = collect<StringMsg>(STRING, { durability: 'volatile' });
        const pub = node.createPublisher<StringMsg>(STRING, topic, { durability: 'volatile' });
        await waitFor(() => pub.subscriptionCount() === 1, 'the compatible match');
        pub.publish({ data: 'x' });
        await waitFor(() => volatile.length === 1, 'the volatile subscription');
        await sleep(SETTLE_MS);
        assert.equal(latched.length, 0);
        assert.ok(statsOf(graph, topic).incompatibleQos >= 1);
      });

      it('a late transient_local subscription gets the last depth messages; a late volatile one does not', async () => {
        const pub = node.createPublisher<IntMsg>(INT, topic, { durability: 'transient_local', depth: 3 });
        for (let i = 0; i < 5; i++) pub.publish({ data: i });
        const late = collect<IntMsg>(INT, { durability: 'transient_local', depth: 10 });
        const lateVolatile = collect<IntMsg>(INT, { durability: 'volatile' });
        await waitFor(() => late.length === 3, 'the replayed history');
        assert.deepStrictEqual(late.map((m) => m.data), [2, 3, 4]);
        await waitFor(() => pub.subscriptionCount() === 2, 'both matches');
        pub.publish({ data: 5 });
        await waitFor(() => late.length === 4 && lateVolatile.length === 1, 'the next message');
        assert.deepStrictEqual(lateVolatile.map((m) => m.data), [5]);
      });

      it('QoS.latched hands the last message to late joiners', async () => {
        const pub = node.createPublisher<StringMsg>(STRING, topic, QoS.latched);
        pub.publish({ data: 'old' });
        pub.publish({ data: 'last' });
        const late = collect<StringMsg>(STRING, QoS.latched);
        await waitFor(() => late.length === 1, 'the latched message');
        assert.deepStrictEqual(late[0], { data: 'last' });
      });

      it('rejects an invalid QoS', () => {
        assert.throws(() => node.createPublisher(STRING, topic, { history: 'keep_last', depth: 0 }), /depth/);
      });
    });

    describe('names and types', () => {
      it('resolves relative names against / and ~ against the node', () => {
        const name = uniqueName('rel');
        assert.equal(node.createPublisher(STRING, name).topic, `/${name}`);
        assert.equal(node.createPublisher(STRING, `${name}/sub`).topic, `/${name}/sub`);
        assert.equal(node.createPublisher(STRING, '~/private').topic, `/${node.name}/private`);
        assert.ok(graph.topicNames().some((t) => t.topic === `/${name}` && t.type === STRING));
      });

      for (const bad of ['', '/a//b', '/a/', 'a b', 'a-b', '1abc', '/a/1b', '~x', 'a/~/b', 'é']) {
        it(`rejects the topic name ${JSON.stringify(bad)}`, () => {
          assert.throws(
            () => node.createPublisher(STRING, bad),
            (e: Error) => e.message.includes(`"${bad}"`) && /invalid topic name/.test(e.message),
          );
          assert.throws(() => node.createSubscription(STRING, bad, () => {}), /invalid topic name/);
        });
      }

      it('rejects invalid node names', () => {
        for (const bad of ['', '1node', 'my-node', 'a/b']) {
          assert.throws(() => graph.createNode(bad), (e: Error) => e.message.includes(`"${bad}"`));
        }
      });

      it('refuses a second type on a topic, naming both', () => {
        node.createPublisher(STRING, topic);
        const bothTypes = (e: Error): boolean => e.message.includes(STRING) && e.message.includes(INT) && e.message.includes(topic);
        assert.throws(() => node.createSubscription(INT, topic, () => {}), bothTypes);
        assert.throws(() => node.createPublisher(INT, topic), bothTypes);
        assert.throws(() => node.createPublisher('not a type', uniqueName('t')), /not a type/);
      });
    });

    describe('statistics', () => {
      it('counts endpoints and messages and measures the rate', async () => {
        const received = collect<IntMsg>(INT, { history: 'keep_all' });
        const pub = node.createPublisher<IntMsg>(INT, topic);
        node.createPublisher<IntMsg>(INT, topic);
        for (let i = 0; i < 20; i++) {
          pub.publish({ data: i });
          await sleep(5);
        }
        await waitFor(() => received.length === 20, '20 messages');
        const stats = statsOf(graph, topic);
        assert.deepStrictEqual(
          { ...stats, rateHz: 0 },
          { topic, type: INT, publishers: 2, subscriptions: 1, published: 20, delivered: 20, dropped: 0, rateHz: 0, incompatibleQos: 0 },
        );
        assert.ok(stats.rateHz > 10 && stats.rateHz < 1000, `rate ${stats.rateHz} Hz for one message every ~5 ms`);
      });

      it('forgets a topic when its last endpoint goes', async () => {
        const pub = node.createPublisher(STRING, topic);
        const sub = node.createSubscription(STRING, topic, () => {});
        assert.ok(graph.topicNames().some((t) => t.topic === topic));
        pub.destroy();
        sub.destroy();
        await waitFor(() => !graph.topicNames().some((t) => t.topic === topic), 'the topic to go');
      });
    });

    describeParameterAndTimerContract({ graph: () => graph, node: () => node });

    describe('destroy and shutdown', () => {
      it('a destroyed subscription gets nothing more, not even what was already published', async () => {
        const received: StringMsg[] = [];
        const sub = node.createSubscription<StringMsg>(STRING, topic, (m) => received.push(m));
        const witness = collect<StringMsg>(STRING);
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        await waitFor(() => pub.subscriptionCount() === 2, 'two matches');
        pub.publish({ data: 'queued' });
        sub.destroy();
        await waitFor(() => witness.length === 1, 'the witness');
        await sleep(SETTLE_MS);
        assert.equal(received.length, 0);
        assert.equal(pub.subscriptionCount(), 1);
      });

      it('a destroyed publisher cannot publish', () => {
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        pub.destroy();
        assert.throws(() => pub.publish({ data: 'x' }), /destroyed/);
        pub.destroy(); // idempotent
      });

      it('destroying a node removes its endpoints', async () => {
        const other = graph.createNode(uniqueName('doomed'));
        const received = collect<StringMsg>(STRING, undefined, other);
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        await waitFor(() => pub.subscriptionCount() === 1, 'the match');
        other.destroy();
        await waitFor(() => pub.subscriptionCount() === 0, 'the unmatch');
        pub.publish({ data: 'x' });
        await sleep(SETTLE_MS);
        assert.equal(received.length, 0);
        assert.equal(statsOf(graph, topic).subscriptions, 0);
        assert.throws(() => other.createPublisher(STRING, topic), /destroyed/);
      });

      it('shutdown stops delivery and timers, and is idempotent', async () => {
        const received = collect<StringMsg>(STRING);
        const pub = node.createPublisher<StringMsg>(STRING, topic);
        let ticks = 0;
        node.createTimer(5, () => ticks++);
        await waitFor(() => pub.subscriptionCount() === 1, 'the match');
        pub.publish({ data: 'never delivered' });
        await graph.shutdown();
        const ticksAtShutdown = ticks;
        await sleep(SETTLE_MS);
        assert.equal(received.length, 0);
        assert.equal(ticks, ticksAtShutdown);
        assert.throws(() => graph.createNode(uniqueName('late')), /shut down/);
        await graph.shutdown();
      });
    });
  });
}
