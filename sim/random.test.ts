import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from './random.js';

test('Random: the same seed gives the same stream, nearby seeds differ, values stay in range', () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
  const r = new Random(1);
  for (let i = 0; i < 1000; i++) {
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  assert.throws(() => new Random(Number.NaN), /Random#constructor/);
});

test('Random: a fork is its own stream, reproducible from the parent seed', () => {
  const f1 = new Random(9).fork(), f2 = new Random(9).fork();
  assert.equal(f1.next(), f2.next());
  const n = new Random(9);
  assert.notEqual(n.fork().next(), n.next());
});
