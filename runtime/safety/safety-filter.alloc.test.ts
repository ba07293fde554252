// apply() runs every tick: it must not allocate, with clamps firing, the workspace check on and the diagnostics
// as its event sink.
// Measured with V8's sampling heap profiler, counting objects a minor GC would have collected too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kinematics, loadArmDescription } from '../robot/index.js';
import { SafetyDiagnostics } from './diagnostics.js';
import { FakeTime } from './fake-time.js';
import { SafetyFilter } from './safety-filter.js';
import { sampleAllocations } from '../testing/allocation-sampler.js';

test('SafetyFilter: apply() does not allocate per tick', async () => {
  const arm6 = loadArmDescription();
  let published = 0;
  const diagnostics = new SafetyDiagnostics({}, { publish: () => { published++; }, clock: new FakeTime() });
  const filter = new SafetyFilter(arm6, {}, { kinematics: new Kinematics(arm6), onEvent: diagnostics.onEvent });
  const ready = [0, -1.2, 1.8, -2.1, -1.57, 0, 0.02];
  const measured = Float64Array.from(ready);
  const cmd = { stampNs: 0n, positions: Float64Array.from(ready) };
  let clamped = 0, refused = 0;
  const run = (ticks: number): void => {
    for (let i = 0; i < ticks; i++) {
      cmd.positions[0] = Math.sin(i / 10) * 2; // 6 rad/s peak: clamped most ticks
      cmd.positions[6] = 0.02 + 0.01 * Math.sin(i / 20);
      const v = filter.apply(cmd, measured, 1 / 30);
      if (v.writable) measured.set(v.command.positions);
      if (v.action === 'clamped') clamped++;
      else if (!v.writable) refused++;
    }
  };
  run(20_000); // let V8 optimise first
  const ticks = 30_000;
  const windows = await sampleAllocations(() => run(ticks), {
    samplingInterval: 512, enoughBelowBytes: 64 * 1024, beforeWindow: () => { clamped = 0; },
  });
  assert.ok(clamped > ticks / 2 && published > 0 && refused === 0, `the run must exercise clamps (${clamped}, refused ${refused})`);
  // Sampling may attribute a stray object or two to the loop; 48 bytes a tick would show as ~1.4 MB.
  const best = Math.min(...windows.map((x) => x.bytes));
  assert.ok(best < 64 * 1024, `bytes allocated per ${ticks} ticks, by window: ${JSON.stringify(windows)}`);
});
