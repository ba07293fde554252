import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTime } from './fake-time.js';
import { CommandWatchdog, type WatchdogCause } from './watchdog.js';

function setup(config = {}) {
  const time = new FakeTime(1_000_000_000n);
  const holds: { reason: string; cause: WatchdogCause; atMs: number }[] = [];
  let recovered = 0;
  const dog = new CommandWatchdog(config, {
    clock: time,
    scheduler: time,
    hold: (reason, cause) => holds.push({ reason, cause, atMs: Number(time.nowNs() - 1_000_000_000n) / 1e6 }),
    onRecover: () => recovered++,
  });
  let stamp = 0n;
  const feed = (): void => dog.feed(++stamp);
  return { time, dog, holds, feed, recovered: () => recovered };
}

test('CommandWatchdog: defaults follow MoveIt Servo (100 ms, checks every 25 ms, 3 overruns)', () => {
  const { dog } = setup();
  assert.deepEqual({ ...dog.config }, { timeoutMs: 100, maxConsecutiveOverruns: 3, checkPeriodMs: 25 });
  assert.throws(() => new CommandWatchdog({ timeoutMs: -1 }, { hold: () => {} }), /timeoutMs/);
  assert.equal(new CommandWatchdog({ timeoutMs: 40, checkPeriodMs: undefined }, { hold: () => {} }).config.checkPeriodMs, 10);
});

test('CommandWatchdog: holds once per stale episode, on its own timer, and re-arms after fresh commands', () => {
  const { time, dog, holds, feed, recovered } = setup();
  dog.start();
  time.advanceMs(1000);
  assert.equal(holds.length, 0, 'no hold before the first command');
  feed();
  for (let i = 0; i < 10; i++) { time.advanceMs(33); feed(); }
  assert.equal(holds.length, 0);
  time.advanceMs(500); // the command stream stops
  assert.equal(holds.length, 1);
  assert.equal(holds[0].cause, 'timeout');
  assert.match(holds[0].reason, /no fresh command for 1\d\d\.\d ms \(timeout 100 ms\)/);
  // The stall was noticed between timeout and timeout + one check period after the last command.
  assert.ok(holds[0].atMs > 1330 + 100 && holds[0].atMs <= 1330 + 125, `held at ${holds[0].atMs}`);
  assert.equal(dog.state, 'holding');
  feed();
  assert.equal(dog.state, 'armed');
  assert.equal(recovered(), 1);
  time.advanceMs(200);
  assert.equal(holds.length, 2, 'a new episode holds again');
});

test('CommandWatchdog: a re-sent old command is not fresh', () => {
  const { time, dog, holds } = setup();
  dog.start();
  dog.feed(10n);
  for (let i = 0; i < 10; i++) { time.advanceMs(30); dog.feed(10n); }
  assert.equal(holds.length, 1);
});

test('CommandWatchdog: consecutive overruns hold at once; on-time ticks reset the count', () => {
  const { time, dog, holds, feed } = setup();
  dog.start();
  feed();
  dog.reportOverrun(); dog.reportOverrun(); dog.reportOnTime();
  dog.reportOverrun(); dog.reportOverrun();
  assert.equal(holds.length, 0);
  dog.reportOverrun();
  assert.equal(holds.length, 1);
  assert.equal(holds[0].cause, 'overruns');
  dog.reportOverrun();
  feed();
  assert.equal(dog.state, 'holding', 'still overrunning: fresh commands do not end the episode');
  dog.reportOnTime();
  feed();
  assert.equal(dog.state, 'armed');
  time.advanceMs(50);
  assert.equal(holds.length, 1);
});

test('CommandWatchdog: check(nowNs) works without the timer; stop() clears it', () => {
  const { time, dog, holds, feed } = setup();
  dog.start();
  feed();
  dog.check(time.nowNs() + 150_000_000n);
  assert.equal(holds.length, 1);
  dog.stop();
  assert.equal(time.activeTimers, 0);
  assert.equal(dog.state, 'stopped');
});
