// apply() runs every tick: it must not allocate, with clamps firing, the workspace check on and an event sink.
// Measured with V8's sampling heap profiler, counting objects a minor GC would have collected too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { Kinematics, loadArmDescription } from '../robot/index.js';
import { SafetyFilter } from './safety-filter.js';

interface ProfileNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] }

test('SafetyFilter: apply() does not allocate per tick', async () => {
  const arm6 = loadArmDescription();
  let events = 0;
  const filter = new SafetyFilter(arm6, {}, { kinematics: new Kinematics(arm6), onEvent: () => { events++; } });
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
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true,
  } as never);
  const ticks = 50_000;
  run(ticks);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const sites: Record<string, number> = {};
  const walk = (n: ProfileNode): void => {
    if (n.selfSize > 0 && !n.callFrame.url.startsWith('node:')) {
      const key = `${n.callFrame.functionName} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
      sites[key] = (sites[key] ?? 0) + n.selfSize;
    }
    n.children.forEach(walk);
  };
  walk(profile.head);
  const bytes = Object.values(sites).reduce((a, b) => a + b, 0);
  assert.ok(clamped > ticks / 2 && events > 0 && refused === 0, `the run must exercise clamps (${clamped}, refused ${refused})`);
  // Sampling may attribute a stray object or two to the loop; 48 bytes a tick would show as ~2.4 MB.
  assert.ok(bytes < 64 * 1024, `${bytes} bytes over ${ticks} ticks: ${JSON.stringify(sites)}`);
});
