import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraStream } from './camera-stream.js';
import { decodeFrame } from './ops-protocol.js';
import { FakeWebSocket } from './testing/fake-web-socket.js';

const frame = (n: number) => ({ jpeg: new Uint8Array(1000).fill(n), stampNs: BigInt(n), width: 640, height: 480 });

describe('CameraStream pacing', () => {
  it('sends the newest frame only once the previous one is acknowledged, never a queue', () => {
    const stream = new CameraStream();
    stream.addCamera({ name: 'overhead', width: 640, height: 480, fps: 10 });
    const ws = new FakeWebSocket();
    assert.equal(stream.wanted('overhead'), false, 'nobody watches: the robot renders nothing');
    assert.deepEqual(stream.subscribe(ws, ws, ['overhead', 'nope']).unknown, ['nope']);
    assert.equal(stream.wanted('overhead'), true);
    ws.bufferedAmount = 10; // the first frame is still on its way
    stream.publish('overhead', frame(1));
    assert.equal(ws.binary.length, 1, 'the first frame goes at once');
    for (let i = 2; i <= 50; i++) stream.publish('overhead', frame(i));
    assert.equal(ws.binary.length, 1, 'nothing more until the client acknowledges or drains');
    stream.ack(ws, 'overhead', 1);
    assert.equal(ws.binary.length, 2);
    assert.equal(decodeFrame(ws.binary[1])!.header.seq, 50, 'the newest frame, the ones between are skipped');
    assert.equal(stream.stats.framesSkipped, 48);
  });

  it('a drained socket counts as ready, so a lost ack cannot stall the stream', () => {
    const stream = new CameraStream();
    stream.addCamera({ name: 'wrist', width: 640, height: 480, fps: 10 });
    const ws = new FakeWebSocket();
    stream.subscribe(ws, ws, ['wrist']);
    stream.publish('wrist', frame(1));
    stream.publish('wrist', frame(2));
    assert.equal(ws.binary.length, 2, 'bufferedAmount 0: every frame goes');
  });

  it('a client whose buffer is over the bound gets nothing and costs no memory', () => {
    const stream = new CameraStream({ maxBufferedBytes: 5000 });
    stream.addCamera({ name: 'overhead', width: 640, height: 480, fps: 10 });
    const slow = new FakeWebSocket();
    const fast = new FakeWebSocket();
    stream.subscribe(slow, slow, ['overhead']);
    stream.subscribe(fast, fast, ['overhead']);
    slow.bufferedAmount = 10_000;
    for (let i = 1; i <= 100; i++) {
      stream.publish('overhead', frame(i));
      stream.ack(fast, 'overhead', i);
    }
    assert.equal(slow.binary.length, 0);
    assert.equal(fast.binary.length, 100, 'a fast client is not held back by a slow one');
    slow.bufferedAmount = 0;
    stream.ack(slow, 'overhead', 0);
    assert.equal(slow.binary.length, 1);
    assert.equal(decodeFrame(slow.binary[0])!.header.seq, 100);
  });

  it('unsubscribing stops frames and the demand', () => {
    const stream = new CameraStream();
    stream.addCamera({ name: 'overhead', width: 640, height: 480, fps: 10 });
    const ws = new FakeWebSocket();
    stream.subscribe(ws, ws, ['overhead']);
    stream.subscribe(ws, ws, []);
    assert.equal(stream.wanted('overhead'), false);
    stream.publish('overhead', frame(1));
    assert.equal(ws.binary.length, 0);
  });
});
