import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EStopLatch, type EStopTrip } from './estop-latch.js';
import { FakeTime } from './fake-time.js';

test('EStopLatch: trip latches and calls every hold callback synchronously, before returning', () => {
  const time = new FakeTime(5_000n);
  const latch = new EStopLatch({ clock: time });
  const calls: string[] = [];
  latch.addHold((reason) => calls.push(`driver:${reason}`));
  latch.addHold(() => {
    // Inside trip(): the latch is already engaged.
    assert.equal(latch.latched, true);
    calls.push('sim');
  });
  assert.equal(latch.latched, false);
  latch.trip('mqtt:stop-word', 'heard "stop"');
  // No await between trip() and these checks: the holds ran inside it.
  assert.deepEqual(calls, ['driver:e-stop (mqtt:stop-word): heard "stop"', 'sim']);
  assert.equal(latch.latched, true);
  assert.deepEqual(latch.lastTrip, { source: 'mqtt:stop-word', reason: 'heard "stop"', atNs: 5_000n });
});

test('EStopLatch: a throwing hold callback does not stop the others', () => {
  const errors: unknown[] = [];
  const latch = new EStopLatch({ onHoldError: (e) => errors.push(e) });
  let held = false;
  latch.addHold(() => { throw new Error('driver gone'); });
  latch.addHold(() => { held = true; });
  latch.trip('dashboard', 'button');
  assert.equal(held, true);
  assert.equal(errors.length, 1);
});

test('EStopLatch: only a named supervisor releases it, and only explicitly', () => {
  const time = new FakeTime();
  const released: string[] = [];
  const trips: EStopTrip[] = [];
  const latch = new EStopLatch({ clock: time, onRelease: (by) => released.push(by.operator), onTrip: (t) => trips.push(t) });
  latch.trip('dashboard:ann', 'button');
  time.advanceMs(60_000);
  assert.equal(latch.latched, true, 'time alone never releases');
  for (const role of ['viewer', 'operator'] as const) {
    const r = latch.reset({ operator: 'bob', role });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.refusal, new RegExp(`role '${role}'.*supervisor`));
    assert.equal(latch.latched, true);
  }
  assert.equal(latch.reset({ operator: '', role: 'supervisor' }).ok, false);
  assert.deepEqual(latch.reset({ operator: 'sue', role: 'supervisor' }), { ok: true, wasLatched: true });
  assert.equal(latch.latched, false);
  assert.deepEqual(latch.reset({ operator: 'sue', role: 'supervisor' }), { ok: true, wasLatched: false });
  assert.deepEqual(released, ['sue']);
  assert.equal(trips.length, 1);
});

test('EStopLatch: tripping again while latched holds again and bumps the epoch', () => {
  const latch = new EStopLatch();
  let holds = 0;
  const remove = latch.addHold(() => holds++);
  latch.trip('a', 'first');
  latch.trip('b', 'second');
  assert.equal(holds, 2);
  assert.equal(latch.epoch, 2);
  assert.equal(latch.lastTrip?.source, 'b');
  remove();
  latch.trip('c', 'third');
  assert.equal(holds, 2);
});
