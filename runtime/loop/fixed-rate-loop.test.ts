import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedRateLoop, SimClock, WallClock, SampleWindow } from './index.js';

describe('FixedRateLoop on simulated time', () => {
  it('ticks at absolute deadlines with zero jitter and hands stages the nominal period', async () => {
    const clock = new SimClock();
    const scheduled: bigint[] = [];
    const periods: number[] = [];
    const loop = new FixedRateLoop({ rateHz: 30, maxTicks: 90 }, clock, (t) => {
      scheduled.push(t.scheduledNs);
      periods.push(t.periodS);
    });
    await loop.start();
    const stats = loop.stats();
    assert.equal(stats.ticks, 90);
    assert.equal(stats.overruns, 0);
    assert.equal(stats.jitterP99Ms, 0);
    assert.equal(stats.latenessP99Ms, 0);
    for (let i = 1; i < scheduled.length; i++) assert.equal(scheduled[i] - scheduled[i - 1], loop.periodNs);
    for (const p of periods) assert.ok(Math.abs(p - 1 / 30) < 1e-9);
    assert.ok(Math.abs(stats.achievedRateHz - 30) < 0.01);
  });

  it('counts an overrun, skips the missed deadlines and stays on the period grid', async () => {
    const clock = new SimClock();
    const scheduled: bigint[] = [];
    const consecutive: number[] = [];
    const loop = new FixedRateLoop({ rateHz: 100, maxTicks: 10 }, clock, (t) => {
      scheduled.push(t.scheduledNs);
      // Tick 3 takes 2.5 periods: deadlines 4 and 5 are missed, the next tick is due at deadline 6.
      if (t.index === 3) clock.advanceNs((loop.periodNs * 5n) / 2n);
    });
    loop.onOverrun((n) => consecutive.push(n));
    await loop.start();
    const stats = loop.stats();
    assert.equal(stats.overruns, 1);
    assert.equal(stats.skippedDeadlines, 2);
    assert.equal(scheduled[4] - scheduled[3], loop.periodNs * 3n);
    for (const s of scheduled) assert.equal(s % loop.periodNs, 0n);
    assert.deepEqual(consecutive.slice(2, 5), [0, 1, 0]);
    assert.ok(stats.workP99Ms >= 25);
  });

  it('reports consecutive overruns so a watchdog can hold after N in a row', async () => {
    const clock = new SimClock();
    const seen: number[] = [];
    const loop = new FixedRateLoop({ rateHz: 50, maxTicks: 6 }, clock, (t) => {
      if (t.index >= 2) clock.advanceNs(loop.periodNs + 1n);
    });
    loop.onOverrun((n) => seen.push(n));
    await loop.start();
    assert.deepEqual(seen, [0, 0, 1, 2, 3, 4]);
  });

  it('stop() ends a running loop and a throwing tick rejects start()', async () => {
    const clock = new SimClock();
    let ticked!: () => void;
    const firstTicks = new Promise<void>((resolve) => (ticked = resolve));
    const loop = new FixedRateLoop({ rateHz: 1000 }, clock, (t) => {
      if (t.index === 3) ticked();
    });
    const done = loop.start();
    await firstTicks;
    await loop.stop();
    await done;
    assert.equal(loop.running, false);
    assert.ok(loop.stats().ticks > 0);

    const failing = new FixedRateLoop({ rateHz: 10 }, new SimClock(), (t) => {
      if (t.index === 2) throw new Error('stage failed');
    });
    await assert.rejects(failing.start(), /stage failed/);
  });

  it('rejects a nonsensical rate', () => {
    assert.throws(() => new FixedRateLoop({ rateHz: 0 }, new SimClock(), () => undefined), /rateHz/);
    assert.throws(() => new FixedRateLoop({ rateHz: NaN }, new SimClock(), () => undefined), /rateHz/);
  });

  it('runs on the wall clock with deadlines on the period grid', async () => {
    const clock = new WallClock();
    const scheduled: bigint[] = [];
    const started: bigint[] = [];
    const loop = new FixedRateLoop({ rateHz: 200, maxTicks: 20 }, clock, (t) => {
      scheduled.push(t.scheduledNs);
      started.push(t.startedNs);
    });
    await loop.start();
    assert.equal(loop.stats().ticks, 20);
    for (let i = 0; i < started.length; i++) assert.ok(started[i] >= scheduled[i], 'never starts before its deadline');
    for (const s of scheduled) assert.equal((s - scheduled[0]) % loop.periodNs, 0n);
  });
});

describe('SampleWindow', () => {
  it('gives nearest-rank percentiles and keeps only the newest samples when full', () => {
    const w = new SampleWindow(100);
    for (let i = 1; i <= 100; i++) w.push(i);
    assert.equal(w.percentile(50), 50);
    assert.equal(w.percentile(99), 99);
    assert.equal(w.percentile(100), 100);
    assert.equal(w.mean, 50.5);
    for (let i = 101; i <= 150; i++) w.push(i);
    assert.equal(w.count, 100);
    assert.equal(w.total, 150);
    assert.equal(w.percentile(0), 51);
    assert.equal(w.max, 150);
    assert.ok(Number.isNaN(new SampleWindow(4).percentile(50)));
  });
});
