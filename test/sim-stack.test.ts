// The whole stack, as users run it: `armstack launch sim`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, spawnCli, collect, waitForOutput, lastJsonLine } from './helpers/cli.js';

describe('armstack launch sim (whole stack)', () => {
  it('headless --fast run ends with every box in a bin and prints the JSON summary last', async () => {
    const r = await runCli(['launch', 'sim', '--headless', '--fast', '--json', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    const s = lastJsonLine(r.stdout);
    for (const key of ['ticks', 'rateHz', 'jitterP99Ms', 'overruns', 'objectsPlaced', 'objectsTotal']) {
      assert.ok(key in s, `summary has ${key}`);
    }
    assert.equal(s.objectsTotal, 4);
    assert.equal(s.objectsPlaced, s.objectsTotal);
    assert.equal(s.stopReason, 'all_placed');
    assert.equal(s.rateHz, 30);
    assert.equal(s.safetyRejected, 0);
    assert.ok((s.ticks as number) > 300);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const [a, b, c] = await Promise.all([
      runCli(['launch', 'sim', '--fast', '--json', '--seed', '11', '--duration', '20']),
      runCli(['launch', 'sim', '--fast', '--json', '--seed', '11', '--duration', '20']),
      runCli(['launch', 'sim', '--fast', '--json', '--seed', '12', '--duration', '20']),
    ]);
    const [sa, sb, sc] = [a, b, c].map((r) => lastJsonLine(r.stdout));
    assert.equal(sa.stopReason, 'duration');
    assert.ok(Math.abs((sa.simTimeS as number) - 20) < 0.05, `sim time ${sa.simTimeS}`);
    assert.equal(sa.ticks, sb.ticks);
    assert.equal(sa.objectsPlaced, sb.objectsPlaced);
    assert.equal(sa.stateDigest, sb.stateDigest);
    assert.notEqual(sa.stateDigest, sc.stateDigest);
  });

  it('--duration stops after that much sim time on the real-time clock', async () => {
    const r = await runCli(['launch', 'sim', '--headless', '--duration', '1.5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = lastJsonLine(r.stdout);
    assert.equal(s.stopReason, 'duration');
    // Tick counts depend on how busy the machine is; sim time does not.
    assert.ok(Math.abs((s.simTimeS as number) - 1.5) < 0.2, `sim time ${s.simTimeS}`);
    assert.ok((s.ticks as number) > 5);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`shuts down cleanly on ${signal} with the dashboard up: exit 0, no dangling handles`, async () => {
      const child = spawnCli(['launch', 'sim', '--port', '0']);
      const done = collect(child, 30_000);
      const seen = await waitForOutput(child, /dashboard at http:\/\/127\.0\.0\.1:\d+/);
      assert.match(seen, /running/);
      child.kill(signal);
      // The CLI never calls process.exit: it only ends if every socket, timer and worker was closed.
      const r = await done;
      assert.equal(r.signal, null, r.stderr);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`${signal}, stopping`));
      assert.match(r.stdout, /stopped \(signal\)/);
    });
  }
});
