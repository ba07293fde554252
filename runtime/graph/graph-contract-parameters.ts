// The parameter and timer part of the graph contract (see graph.contract.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SETTLE_MS, sleep, uniqueName, waitFor } from './graph-contract-helpers.js';
import type { Graph, GraphNode, SetParameterResult } from './types.js';

export interface ContractEnv {
  /** The graph of the running test. */
  graph(): Graph;
  /** A node created for the running test. */
  node(): GraphNode;
}

export function describeParameterAndTimerContract(env: ContractEnv): void {
  describe('parameters', () => {
    it('declares with a default, gets and sets', () => {
      const rate = env.node().declareParameter('rate_hz', 30, { type: 'number', min: 1, max: 100 });
      assert.equal(rate.name, 'rate_hz');
      assert.equal(rate.get(), 30);
      assert.equal(env.node().getParameter<number>('rate_hz'), 30);
      assert.deepStrictEqual(rate.set(60), { successful: true, reason: '' });
      assert.equal(env.node().getParameter('rate_hz'), 60);
      assert.equal(env.node().setParameter('rate_hz', 50).successful, true);
      assert.equal(rate.get(), 50);
      const mode = env.node().declareParameter('mode', 'auto');
      assert.equal(mode.set('manual').successful, true);
    });

    it('refuses a second declaration and unknown names', () => {
      env.node().declareParameter('gain', 1);
      assert.throws(() => env.node().declareParameter('gain', 2), /"gain".*already declared/);
      assert.throws(() => env.node().getParameter('nope'), /"nope"/);
      const result = env.node().setParameter('nope', 1);
      assert.equal(result.successful, false);
      assert.match(result.reason, /"nope"/);
    });

    it('validates type, integer, bounds, enum and read-only, naming the parameter and the rule', () => {
      env.node().declareParameter('speed', 0.5, { type: 'number', min: 0, max: 1 });
      env.node().declareParameter('count', 3, { type: 'integer' });
      env.node().declareParameter('color', 'red', { type: 'string', enum: ['red', 'green'] });
      env.node().declareParameter('robot_id', 'arm1', { type: 'string', readOnly: true });
      env.node().declareParameter('enabled', true);
      const expectFailure = (name: string, value: unknown, rule: RegExp): void => {
        const result: SetParameterResult = env.node().setParameter(name, value);
        assert.equal(result.successful, false, `${name} = ${String(value)} is refused`);
        assert.ok(result.reason.includes(`"${name}"`), `reason names ${name}: ${result.reason}`);
        assert.match(result.reason, rule);
      };
      expectFailure('speed', 'fast', /expected a number/);
      expectFailure('speed', -0.1, /minimum/);
      expectFailure('speed', 1.5, /maximum/);
      expectFailure('count', 2.5, /integer/);
      expectFailure('color', 'blue', /not one of/);
      expectFailure('robot_id', 'arm2', /read-only/);
      expectFailure('enabled', 'yes', /boolean/);
      assert.equal(env.node().getParameter('speed'), 0.5);
      assert.throws(() => env.node().declareParameter('bad_default', 5, { type: 'number', max: 1 }), /"bad_default"/);
    });

    it('lets on-set callbacks veto, and tells change listeners', () => {
      const gain = env.node().declareParameter('gain', 1);
      const changes: [number, number][] = [];
      const stopListening = gain.onChange((value, old) => changes.push([value, old]));
      const remove = env.node().addOnSetParametersCallback((name, value) =>
        name === 'gain' && typeof value === 'number' && value > 10
          ? { successful: false, reason: 'gain above 10 is unsafe' }
          : { successful: true, reason: '' },
      );
      const vetoed = gain.set(20);
      assert.equal(vetoed.successful, false);
      assert.match(vetoed.reason, /unsafe/);
      assert.equal(gain.get(), 1);
      assert.equal(gain.set(5).successful, true);
      assert.equal(gain.set(5).successful, true);
      remove();
      assert.equal(gain.set(20).successful, true);
      stopListening();
      gain.set(30);
      assert.deepStrictEqual(changes, [[5, 1], [20, 5]], 'listeners hear real changes only, until unsubscribed');
    });

    it('applies overrides from createNode, validated at declaration', () => {
      const configured = env.graph().createNode(uniqueName('configured'), {
        parameterOverrides: { rate_hz: 50, robot_id: 'arm7', speed: 5, unused: 1 },
      });
      assert.equal(configured.declareParameter('rate_hz', 30).get(), 50);
      assert.equal(configured.declareParameter('robot_id', 'arm1', { type: 'string', readOnly: true }).get(), 'arm7');
      assert.throws(
        () => configured.declareParameter('speed', 0.5, { type: 'number', max: 1 }),
        (e: Error) => e.message.includes('"speed"') && /maximum/.test(e.message),
      );
    });
  });

  describe('timers', () => {
    it('fires repeatedly until cancelled', async () => {
      let ticks = 0;
      const timer = env.node().createTimer(5, () => ticks++);
      assert.equal(timer.periodMs, 5);
      await waitFor(() => ticks >= 3, 'three ticks');
      timer.cancel();
      const after = ticks;
      await sleep(SETTLE_MS);
      assert.equal(ticks, after);
    });

    it('stops with its node and refuses a bad period', async () => {
      let ticks = 0;
      env.node().createTimer(5, () => ticks++);
      await waitFor(() => ticks >= 1, 'a tick');
      env.node().destroy();
      const after = ticks;
      await sleep(SETTLE_MS);
      assert.equal(ticks, after);
      const other = env.graph().createNode(uniqueName('timers'));
      assert.throws(() => other.createTimer(0, () => {}), /period/);
      assert.throws(() => other.createTimer(Number.NaN, () => {}), /period/);
    });
  });
}
