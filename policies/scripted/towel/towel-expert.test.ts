// Closed loop without the control-loop class, as the box expert's test does: every 1/30 s of sim time,
// expert.step -> driver.write -> world.step(1/30). The test drives the sim; the expert never imports sim/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimWorld } from '../../../sim/sim-arm-driver.js';
import type { SimWorldConfig } from '../../../sim/sim-arm-driver.js';
import { TowelExpert } from './towel-expert.js';
import type { TowelExpertConfig, TowelPhase } from './towel-expert.js';

const DT = 1 / 30;

async function run(
  world: Omit<SimWorldConfig, 'cloth'> & { cloth?: SimWorldConfig['cloth'] }, config: TowelExpertConfig = {}, budgetS = 60,
  onTick?: (expert: TowelExpert, sim: ReturnType<typeof createSimWorld>) => void,
) {
  const sim = createSimWorld({ boxes: 0, cloth: true, ...world });
  const { driver, description, kinematics } = sim;
  await driver.configure();
  await driver.activate();
  const expert = new TowelExpert(description, config, kinematics);
  const vmax = sim.world.dynamics.maxVelocity;
  const prev = Float64Array.from(driver.readCommandPositions());
  const phases: TowelPhase[] = [];
  let maxStepRatio = 0;
  while (sim.world.timeS < budgetS && !expert.done) {
    const target = expert.step(driver.readCommandPositions(), sim.world.sceneState(), sim.world.clothParticles()!);
    if (phases[phases.length - 1] !== expert.phase) phases.push(expert.phase);
    for (let i = 0; i < target.length; i++) maxStepRatio = Math.max(maxStepRatio, Math.abs(target[i] - prev[i]) / (vmax[i] * DT));
    prev.set(target);
    assert.equal(driver.write({ stampNs: sim.world.timeNs, positions: target }), 'ok');
    sim.world.step(DT);
    onTick?.(expert, sim);
  }
  const towel = sim.world.sceneState().objects.find((o) => o.kind === 'cloth')!;
  return { sim, expert, phases, maxStepRatio, towel, simS: sim.world.timeS };
}

test('seeds 1..3: the towel is taken by its nearest corner and ends in bin 1', async () => {
  const wallStart = performance.now();
  const times: string[] = [];
  for (let seed = 1; seed <= 3; seed++) {
    const r = await run({ seed });
    assert.ok(r.expert.done, `seed ${seed}: done (phase ${r.expert.phase} at ${r.simS.toFixed(1)} s)`);
    assert.equal(r.expert.result, 'success', `seed ${seed}`);
    assert.equal(r.towel.in_bin, 1);
    assert.equal(r.towel.held, false);
    assert.ok(r.sim.world.cloth!.fractionInBin(r.sim.world.bins[0]) >= 0.8);
    assert.equal(r.expert.attempts, 1);
    assert.equal(r.expert.stepClamps, 0);
    assert.ok(r.maxStepRatio < 0.8, `seed ${seed}: step ratio ${r.maxStepRatio}`);
    assert.deepEqual(r.phases, ['home', 'pre_grasp', 'descend', 'close', 'lift', 'above_bin', 'settle', 'lower', 'open', 'retreat', 'home', 'done']);
    // The corner taken was the one nearest the base when the towel lay flat.
    const c = r.sim.world.cloth!;
    const start = createSimWorld({ seed, boxes: 0, cloth: true }).world.cloth!.positions;
    const d = (i: number) => Math.hypot(start[3 * i], start[3 * i + 1]);
    const nearest = (['near_left', 'near_right', 'far_left', 'far_right'] as const).map((k) => c.cornerIndex(k)).sort((a, b) => d(a) - d(b))[0];
    assert.equal(r.expert.corner, nearest);
    times.push(r.simS.toFixed(1));
  }
  const wallS = (performance.now() - wallStart) / 1000;
  console.log(`# towel: ${times.join(', ')} s sim per episode; ${wallS.toFixed(2)} s wall for 3 seeds`);
});

test('a towel moved under the descending gripper is missed, detected and taken again', async () => {
  let moved = false;
  const r = await run({ seed: 2 }, {}, 80, (expert, sim) => {
    if (!moved && expert.phase === 'descend') {
      const c = sim.world.cloth!;
      c.reset({ ...c.placement, xM: c.placement.xM + 0.06 });
      moved = true;
    }
  });
  assert.ok(moved);
  assert.equal(r.expert.result, 'success');
  assert.equal(r.expert.attempts, 2);
  assert.equal(r.phases.filter((p) => p === 'close').length, 2, r.phases.join(' '));
});

test('bin 2, and a success check of its own', async () => {
  let asked = 0;
  const r = await run({ seed: 3 }, {
    bin: 2,
    success: (towel, particles) => { asked++; return towel.in_bin === 2 && particles.length === 1200; },
  });
  assert.equal(r.expert.result, 'success');
  assert.equal(r.towel.in_bin, 2);
  assert.equal(asked, 2, 'asked before the first pick and after letting go');
});

test('the expert gives up after its retries when the towel cannot be caught, and still goes home', async () => {
  // Fingers that stop 2 cm short of the towel never pinch it.
  const r = await run({ seed: 1 }, { maxRetries: 1, fingertipClearanceM: 0.02 }, 80);
  assert.ok(r.expert.done);
  assert.equal(r.expert.result, 'failed');
  assert.equal(r.expert.attempts, 2);
  assert.equal(r.towel.in_bin, 0);
});

test('inputs and config are checked, naming what is wrong', () => {
  const { description, world } = createSimWorld({ seed: 1, boxes: 1, cloth: true });
  assert.throws(() => new TowelExpert(description, { speedFraction: 0.9 }), /speedFraction must be in \(0, 0\.8\]/);
  assert.throws(() => new TowelExpert(description, { bin: 0 }), /bin must be/);
  const e = new TowelExpert(description);
  const q = new Float64Array(7);
  assert.throws(() => e.step(q, world.sceneState(), new Float32Array(30)), /expected 1200 particle coordinates/);
  const noTowel = createSimWorld({ seed: 1, boxes: 1 }).world;
  assert.throws(() => e.step(q, noTowel.sceneState(), world.clothParticles()!), /no object "towel".*cloth on/);
});
