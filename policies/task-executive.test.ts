// The task executive in a closed loop without MQTT or the control-loop class: every 1/30 s of sim time,
// executive.next -> driver.write -> world.step. Commands are handed to it the way the bridge does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimWorld } from '../sim/sim-arm-driver.js';
import type { Intent } from '../runtime/bridge/intents/index.js';
import type { CommandContext, ExecutionResult } from '../runtime/bridge/mqtt/command-processor.js';
import type { TickInfo } from '../runtime/loop/index.js';
import { TaskExecutive, type FallbackSource } from './task-executive.js';

const DT = 1 / 30;
const tick = {} as TickInfo;

function ctx(id: string): CommandContext {
  return { id, operator: 'op', role: 'operator', text: undefined, issuedAt: 0, expiresAt: 1e15, receivedAt: 0, confirmed: false };
}

async function rig(fallback?: FallbackSource) {
  const sim = createSimWorld({ seed: 1 });
  await sim.driver.configure();
  await sim.driver.activate();
  const ex = new TaskExecutive(sim.description, { controlRateHz: 30 }, { scene: () => sim.world.sceneState(), kinematics: sim.kinematics, fallback });
  const step = (): Float64Array | null => {
    const target = ex.next(sim.driver.readCommandPositions(), sim.driver.read(), tick);
    if (target) assert.equal(sim.driver.write({ stampNs: sim.world.timeNs, positions: target }), 'ok');
    sim.world.step(DT);
    return target;
  };
  /** Runs ticks until the command settles (or budgetS of sim time); the result or the refusal message. */
  const run = async (intent: Intent, budgetS = 60): Promise<ExecutionResult | string> => {
    let out: ExecutionResult | string | undefined;
    ex.handle(intent, ctx(intent.intent)).then((r) => (out = r), (e: Error) => (out = e.message));
    const until = sim.world.timeS + budgetS;
    while (out === undefined && sim.world.timeS < until) {
      step();
      await Promise.resolve();
    }
    return out ?? 'timeout';
  };
  return { sim, ex, step, run };
}

test('pick the red box, place it in bin 2, then home', async () => {
  const { sim, ex, run } = await rig();
  assert.equal(await run({ intent: 'pick', color: 'red' }), 'done');
  const held = sim.world.sceneState().objects.find((o) => o.held);
  assert.equal(held?.color, 'red');
  assert.equal(ex.holding, held?.id);
  assert.equal(await run({ intent: 'place', bin: 2 }), 'done');
  const placed = sim.world.sceneState().objects.find((o) => o.id === held!.id)!;
  assert.equal(placed.in_bin, 2);
  assert.equal(placed.held, false);
  assert.equal(await run({ intent: 'home' }), 'done');
  assert.equal(ex.task, null);
});

test('refusals name the reason', async () => {
  const { run } = await rig();
  assert.match(String(await run({ intent: 'place', bin: 1 })), /nothing is held/);
  assert.match(String(await run({ intent: 'pick', color: 'pink' })), /no pink box/);
  assert.match(String(await run({ intent: 'pick', object: 'towel' })), /no towel/);
  assert.equal(await run({ intent: 'pick', color: 'green' }), 'done');
  assert.match(String(await run({ intent: 'pick', color: 'blue' })), /already holding/);
  assert.match(String(await run({ intent: 'place', bin: 9 })), /no bin 9/);
});

test('pause holds the last target; resume continues; gripper open and close', async () => {
  const { ex, step, run } = await rig();
  let finished = false;
  void ex.handle({ intent: 'home' }, ctx('h')).then(() => (finished = true));
  for (let i = 0; i < 5; i++) step();
  assert.equal(await run({ intent: 'pause' }), 'done');
  const a = Float64Array.from(step()!);
  for (let i = 0; i < 10; i++) step();
  assert.deepEqual(Float64Array.from(step()!), a);
  assert.equal(ex.paused, true);
  assert.equal(await run({ intent: 'resume' }), 'done');
  for (let i = 0; i < 900 && !finished; i++) {
    step();
    await Promise.resolve();
  }
  assert.ok(finished, 'home finished after resume');
  assert.equal(await run({ intent: 'gripper', action: 'close' }), 'done');
  assert.equal(await run({ intent: 'gripper', action: 'open' }), 'done');
});

test('while idle the fallback drives; an e-stop abort fails the running command', async () => {
  let calls = 0;
  let resets = 0;
  const fallback: FallbackSource = {
    name: 'fallback',
    next: (measured) => (calls++, Float64Array.from(measured)),
    reset: () => void resets++,
  };
  const { ex, step } = await rig(fallback);
  step();
  assert.equal(calls, 1);
  assert.equal(resets, 1);
  const p = ex.handle({ intent: 'home' }, ctx('h'));
  step();
  assert.equal(calls, 1, 'the command drives, not the fallback');
  ex.abort('e-stop: test');
  await assert.rejects(p, /e-stop: test/);
  step();
  assert.equal(calls, 2);
  assert.equal(resets, 2, 'the fallback plans afresh after a command');
});
