import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionQueue } from './action-queue.js';

/** A chunk of `size` one-dimensional actions: value(t) for t = start..start+size−1. */
function chunk(start: number, size: number, value: (t: number) => number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => value(start + i));
}

const close = (a: number, b: number, msg?: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} vs ${b}`);

test('one chunk plays out action by action, then the queue is empty', () => {
  const q = new ActionQueue({ chunkSize: 3, actionDim: 2 });
  q.push(5, [1, 10, 2, 20, 3, 30]);
  const out = new Float64Array(2);
  assert.equal(q.pop(4, out), false, 'nothing before the chunk starts');
  assert.ok(q.pop(5, out));
  assert.deepEqual([...out], [1, 10]);
  assert.ok(q.pop(7, out));
  assert.deepEqual([...out], [3, 30]);
  assert.equal(q.pop(8, out), false);
  assert.equal(q.size, 0, 'the spent chunk was dropped');
});

test('temporal ensembling: w_i = exp(-m·i) with i = 0 the oldest prediction (ACT), normalized', () => {
  const m = 0.5;
  const q = new ActionQueue({ chunkSize: 4, actionDim: 1, ensembleDecay: m });
  // Three chunks from ticks 0, 1, 2 that disagree: chunk s predicts 100·s + t for tick t.
  for (const s of [0, 1, 2]) q.push(s, chunk(s, 4, (t) => 100 * s + t));
  const out = new Float64Array(1);
  assert.ok(q.pop(2, out));
  // Tick 2 is covered by all three: values 2, 102, 202 with weights 1, e^-0.5, e^-1.
  const w = [1, Math.exp(-0.5), Math.exp(-1)];
  const expected = (w[0] * 2 + w[1] * 102 + w[2] * 202) / (w[0] + w[1] + w[2]);
  close(out[0], expected, 'tick 2');
  // Tick 4: chunk 0 (ticks 0..3) no longer covers it; chunks 1 and 2 do, and chunk 1 is now the oldest (i = 0).
  assert.ok(q.pop(4, out));
  close(out[0], (1 * 104 + Math.exp(-0.5) * 204) / (1 + Math.exp(-0.5)), 'tick 4');
  assert.equal(q.size, 2);
});

test('m = 0 is the plain mean, and ACT default m = 0.01 is close to it', () => {
  const q0 = new ActionQueue({ chunkSize: 2, actionDim: 1, ensembleDecay: 0 });
  q0.push(0, [0, 10]);
  q0.push(1, [20, 30]);
  const out = new Float64Array(1);
  q0.pop(1, out);
  close(out[0], 15);
  const q = new ActionQueue({ chunkSize: 2, actionDim: 1 });
  assert.equal(q.ensembleDecay, 0.01);
  q.push(0, [0, 10]);
  q.push(1, [20, 30]);
  q.pop(1, out);
  close(out[0], (10 + Math.exp(-0.01) * 20) / (1 + Math.exp(-0.01)));
});

test('a negative m favours the newest prediction', () => {
  const q = new ActionQueue({ chunkSize: 2, actionDim: 1, ensembleDecay: -2 });
  q.push(0, [0, 10]);
  q.push(1, [20, 30]);
  const out = new Float64Array(1);
  q.pop(1, out);
  close(out[0], (10 + Math.exp(2) * 20) / (1 + Math.exp(2)));
});

test('refill threshold: a new chunk is wanted when fewer than k actions remain ahead', () => {
  const q = new ActionQueue({ chunkSize: 5, actionDim: 1, refillThreshold: 2 });
  assert.ok(q.needsRefill(0), 'empty queue');
  q.push(10, chunk(10, 5, () => 0));
  assert.equal(q.remaining(10), 5);
  assert.equal(q.remaining(13), 2);
  assert.equal(q.needsRefill(13), false, '2 left (ticks 13, 14) is not fewer than 2');
  assert.equal(q.needsRefill(14), true, '1 left');
  assert.equal(q.remaining(15), 0);
  // The default threshold is the chunk size: a new chunk every tick (ACT's temporal ensembling).
  const every = new ActionQueue({ chunkSize: 5, actionDim: 1 });
  every.push(0, chunk(0, 5, () => 0));
  assert.equal(every.needsRefill(0), false);
  assert.equal(every.needsRefill(1), true);
});

test('a late chunk is used from the current tick on, its past actions skipped', () => {
  const q = new ActionQueue({ chunkSize: 4, actionDim: 1, ensembleDecay: 0 });
  q.push(3, chunk(3, 4, (t) => t)); // computed at tick 3, arrives at tick 5
  const out = new Float64Array(1);
  assert.ok(q.pop(5, out));
  assert.equal(out[0], 5);
  assert.equal(q.remaining(5), 2);
});

test('the ring keeps at most `capacity` chunks, dropping the oldest', () => {
  const q = new ActionQueue({ chunkSize: 10, actionDim: 1, capacity: 2, ensembleDecay: 0 });
  q.push(0, chunk(0, 10, () => 1));
  q.push(1, chunk(1, 10, () => 2));
  q.push(2, chunk(2, 10, () => 3));
  assert.equal(q.size, 2);
  const out = new Float64Array(1);
  q.pop(2, out);
  close(out[0], 2.5, 'chunks from ticks 1 and 2 only');
});

test('refuses out-of-order or short chunks and a bad threshold', () => {
  const q = new ActionQueue({ chunkSize: 3, actionDim: 2 });
  q.push(4, new Float64Array(6));
  assert.throws(() => q.push(3, new Float64Array(6)), /older than the newest/);
  assert.throws(() => q.push(5, new Float64Array(5)), /5 values, expected 3×2/);
  assert.throws(() => new ActionQueue({ chunkSize: 3, actionDim: 2, refillThreshold: 4 }), /refillThreshold/);
});

interface ProfileNode { callFrame: { url: string; functionName: string }; selfSize: number; children: ProfileNode[] }

test('push, pop and needsRefill allocate nothing per tick (V8 sampling heap profiler)', async () => {
  const q = new ActionQueue({ chunkSize: 10, actionDim: 7 });
  const chunk = new Float64Array(70), out = new Float64Array(7);
  let t = 0;
  const run = (ticks: number): void => {
    for (let i = 0; i < ticks; i++, t++) {
      if (q.needsRefill(t)) {
        chunk.fill(t);
        q.push(t, chunk);
      }
      q.pop(t, out);
    }
  };
  run(20_000);
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  let best = Infinity;
  for (let w = 0; w < 4 && best > 0; w++) {
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMinorGC: true } as never);
    run(50_000);
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
    let bytes = 0;
    const walk = (n: ProfileNode): void => {
      if (n.callFrame.url.endsWith('action-queue.ts')) bytes += n.selfSize;
      n.children.forEach(walk);
    };
    walk(profile.head);
    best = Math.min(best, bytes);
  }
  session.disconnect();
  assert.equal(best, 0, `the queue allocated ${best} bytes over 50k ticks`);
});
