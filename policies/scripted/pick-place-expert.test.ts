// Closed loop without the control-loop class: every 1/30 s of sim time, expert.step -> driver.write ->
// world.step(1/30). The test drives the sim; the expert itself never imports sim/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimWorld } from '../../sim/sim-arm-driver.js';
import type { SimWorldConfig } from '../../sim/sim-arm-driver.js';
import { PickPlaceExpert } from './pick-place-expert.js';
import type { PickPlaceExpertConfig, PickPlacePhase } from './pick-place-expert.js';

const DT = 1 / 30;

interface RunResult {
  simS: number;
  placed: number;
  total: number;
  inBin: Map<string, number>;
  expert: PickPlaceExpert;
  phases: PickPlacePhase[];
  /** Largest per-tick command step as a fraction of the joint's velocity limit. */
  maxStepRatio: number;
}

async function run(
  world: SimWorldConfig, config: PickPlaceExpertConfig = {}, budgetS = 120,
  onTick?: (expert: PickPlaceExpert, sim: ReturnType<typeof createSimWorld>) => void,
): Promise<RunResult> {
  const sim = createSimWorld(world);
  const { driver, description, kinematics } = sim;
  await driver.configure();
  await driver.activate();
  const expert = new PickPlaceExpert(description, config, kinematics);
  const vmax = sim.world.dynamics.maxVelocity;
  const prev = Float64Array.from(driver.readCommandPositions());
  const phases: PickPlacePhase[] = [];
  let maxStepRatio = 0;
  while (sim.world.timeS < budgetS && !expert.done) {
    const target = expert.step(driver.readCommandPositions(), sim.world.sceneState());
    if (phases[phases.length - 1] !== expert.phase) phases.push(expert.phase);
    for (let i = 0; i < target.length; i++) maxStepRatio = Math.max(maxStepRatio, Math.abs(target[i] - prev[i]) / (vmax[i] * DT));
    prev.set(target);
    assert.equal(driver.write({ stampNs: sim.world.timeNs, positions: target }), 'ok');
    sim.world.step(DT);
    onTick?.(expert, sim);
  }
  const scene = sim.world.sceneState();
  return {
    simS: sim.world.timeS, placed: sim.world.objectsPlaced(), total: sim.world.objectsTotal,
    inBin: new Map(scene.objects.map((o) => [o.id, o.in_bin])), expert, phases, maxStepRatio,
  };
}

test('seeds 1..5: every box ends in its bin within 120 s of sim time, steps below 80% of the velocity limits', async () => {
  const wallStart = performance.now();
  const perBox: number[] = [];
  for (let seed = 1; seed <= 5; seed++) {
    const r = await run({ seed });
    assert.ok(r.expert.done, `seed ${seed}: done (phase ${r.expert.phase} at ${r.simS.toFixed(1)} s)`);
    assert.equal(r.placed, 4, `seed ${seed}: placed`);
    assert.equal(r.expert.placed, 4);
    assert.deepEqual(r.expert.failed, []);
    assert.equal(r.expert.stepClamps, 0);
    assert.ok(r.maxStepRatio < 0.8, `seed ${seed}: step ratio ${r.maxStepRatio}`);
    // Box i goes to bin (i mod 3) + 1.
    assert.deepEqual([...r.inBin.values()], [1, 2, 3, 1]);
    assert.deepEqual(r.phases.slice(0, 10), ['home', 'pre_grasp', 'descend', 'close', 'lift', 'above_bin', 'lower', 'open', 'retreat', 'pre_grasp']);
    assert.equal(r.phases[r.phases.length - 1], 'done');
    perBox.push(r.simS / 4);
  }
  const wallS = (performance.now() - wallStart) / 1000;
  console.log(`# pick-place: ${perBox.map((s) => s.toFixed(1)).join(', ')} s sim per box; ${wallS.toFixed(2)} s wall for 5 seeds`);
});

test('a configured bin mapping is honoured', async () => {
  const r = await run({ seed: 7, boxes: 2 }, { binFor: () => 3 });
  assert.ok(r.expert.done);
  assert.deepEqual([...r.inBin.values()], [3, 3]);
});

test('a box that moved before the close is missed, detected and retried', async () => {
  let bumped = false;
  const r = await run({ seed: 2, boxes: 1 }, {}, 120, (expert, sim) => {
    // Shove the box 4 cm while the gripper comes down: the fingers close beside it.
    if (!bumped && expert.phase === 'descend') {
      sim.world.objects[0].pose.position.x += 0.04;
      bumped = true;
    }
  });
  assert.ok(bumped);
  assert.ok(r.expert.done);
  assert.equal(r.placed, 1);
  const preGrasps = r.phases.filter((p) => p === 'pre_grasp').length;
  assert.equal(preGrasps, 2, `one retry: ${r.phases.join(' ')}`);
});

test('a box too wide for the gripper is given up after the retries, and the expert still finishes', async () => {
  const r = await run({ seed: 3, boxes: 2, layout: { boxSizeRangeM: [0.085, 0.09] } }, { maxRetries: 1 }, 200);
  assert.ok(r.expert.done);
  assert.equal(r.placed, 0);
  assert.equal(r.expert.failed.length, 2);
  assert.equal(r.phases.filter((p) => p === 'close').length, 4, '1 + 1 retry per box');
});

test('a config outside the safety margins is refused, naming the field', () => {
  const { description } = createSimWorld({ seed: 1, boxes: 0 });
  assert.throws(() => new PickPlaceExpert(description, { speedFraction: 0.9 }), /speedFraction must be in \(0, 0\.8\]/);
  assert.throws(() => new PickPlaceExpert(description, { maxRetries: -1 }), /maxRetries/);
});
