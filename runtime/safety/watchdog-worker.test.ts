import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerWatchdog } from './watchdog-worker.js';

function busyWaitMs(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(ms * 1e6);
  while (process.hrtime.bigint() < end) { /* the main thread is stuck: no timers, no messages */ }
}

test('WorkerWatchdog: detects a main thread blocked by a 300 ms busy-wait', async () => {
  const holds: string[] = [];
  const dog = await WorkerWatchdog.start({ timeoutMs: 100 }, { hold: (r) => holds.push(r) });
  try {
    for (let i = 0; i < 5; i++) { dog.beat(); await sleep(10); }
    assert.equal(dog.lastTrip, undefined, 'a beating loop is not stalled');
    const lastBeatNs = process.hrtime.bigint();
    dog.beat();
    busyWaitMs(300);
    // Still on the same turn: only the shared flag can have told us, the message is not handled yet.
    assert.equal(holds.length, 0);
    assert.equal(dog.holdPending, true, 'the worker flagged the stall while the main thread was stuck');
    const trip = dog.lastTrip!;
    // The worker stamped the flag in the shared buffer with the monotonic clock every thread shares; compare that,
    // not wall-clock waits on this busy machine. Expected: 100..150 ms (timeout + up to two check periods).
    const latencyMs = Number(trip.flaggedAtNs - lastBeatNs) / 1e6;
    assert.ok(latencyMs > 100 && latencyMs < 250, `flagged ${latencyMs} ms after the last heartbeat`);
    assert.ok(trip.beatSeenAtNs >= lastBeatNs && trip.staleMs > 100, `worker saw the beat at +${Number(trip.beatSeenAtNs - lastBeatNs) / 1e6} ms`);
    assert.equal(dog.pollBeforeWrite(), true, 'the next driver write is replaced by a hold');
    assert.equal(holds.length, 1);
    assert.match(holds[0], /stalled \d+ ms without a heartbeat \(timeout 100 ms\)/);
    await sleep(20); // the worker's message arrives now and finds the hold already taken
    assert.equal(holds.length, 1);
    assert.equal(dog.pollBeforeWrite(), false);
  } finally {
    await dog.stop();
  }
});

test('WorkerWatchdog: a stall nobody writes through is held on the next event turn; one hold per stall', async () => {
  const holds: string[] = [];
  const dog = await WorkerWatchdog.start({ timeoutMs: 50 }, { hold: (r) => holds.push(r) });
  try {
    dog.beat();
    busyWaitMs(150);
    await sleep(30); // the loop is idle, not blocked: the stale heartbeat must not trip again
    assert.equal(holds.length, 1);
    assert.equal(dog.lastTrip?.episodes, 1);
    for (let i = 0; i < 3; i++) { dog.beat(); await sleep(5); }
    busyWaitMs(150);
    await sleep(10);
    assert.equal(holds.length, 2);
    assert.equal(dog.lastTrip?.episodes, 2);
  } finally {
    await dog.stop();
  }
});
