import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcGraph, QoS } from '../../runtime/graph/index.js';
import { MsgTypes, timeFromNs, type CompressedImage, type Image } from '../../runtime/messages/index.js';
import { openCvOrSkip } from './testing/opencv-test.js';
import { simLikePixels, solidPixels, swapRb } from './testing/frames.js';
import { TopicCamera } from './topic-camera.js';

const W = 64, H = 48;

function image(data: Uint8Array, encoding: string, stampNs: bigint, over: Partial<Image> = {}): Image {
  return {
    header: { stamp: timeFromNs(stampNs), frame_id: 'cam' }, height: H, width: W, encoding, is_bigendian: 0, step: W * 3, data, ...over,
  };
}

function setup(compressed = false): { graph: InProcGraph; camera: TopicCamera; publish: (m: unknown) => void; malformed: string[] } {
  const graph = new InProcGraph({ delivery: 'manual' });
  const malformed: string[] = [];
  const camera = new TopicCamera({ name: 'wrist', width: W, height: H, fps: 30, compressed }, {
    node: graph.createNode('cam'), onMalformed: (reason) => malformed.push(reason),
  });
  const pubNode = graph.createNode('driver');
  const pub = compressed
    ? pubNode.createPublisher<CompressedImage>(MsgTypes.CompressedImage, '/wrist/image_raw/compressed', QoS.sensorData)
    : pubNode.createPublisher<Image>(MsgTypes.Image, '/wrist/image_raw', QoS.sensorData);
  return { graph, camera, publish: (m) => { pub.publish(m as never); graph.drain(); }, malformed };
}

test('TopicCamera: Image rgb8 and bgr8 become frames in the declared encoding, stamped from the header', async () => {
  const { graph, camera, publish, malformed } = setup();
  assert.equal(camera.topic, '/wrist/image_raw');
  assert.equal(camera.read(), undefined);
  await camera.connect();
  assert.equal(camera.connected, true);
  const rgb = simLikePixels(W, H, 1);
  publish(image(rgb, 'rgb8', 1_500_000_000n));
  const f1 = camera.read()!;
  assert.equal(f1.seq, 1);
  assert.equal(f1.stampNs, 1_500_000_000n);
  assert.equal(f1.encoding, 'rgb8');
  assert.deepEqual(f1.data, rgb);
  // bgr8 in: swapped back to rgb8; a row-padded message (step > width·3) loses the padding.
  publish(image(swapRb(rgb), 'bgr8', 1_600_000_000n));
  const f2 = camera.read()!;
  assert.equal(f2.seq, 2);
  assert.ok(f2.stampNs > f1.stampNs);
  assert.deepEqual(f2.data, rgb);
  const step = W * 3 + 4;
  const padded = new Uint8Array(step * H).fill(9);
  for (let y = 0; y < H; y++) padded.set(rgb.subarray(y * W * 3, (y + 1) * W * 3), y * step);
  publish(image(padded, 'rgb8', 1_700_000_000n, { step }));
  assert.deepEqual(camera.read()!.data, rgb);
  assert.equal(camera.stats.frames, 3);
  assert.deepEqual(malformed, []);
  await camera.disconnect();
  await graph.shutdown();
});

test('TopicCamera: malformed Images are counted and reported, never thrown, and later frames still arrive', async () => {
  const { graph, camera, publish, malformed } = setup();
  await camera.connect();
  const ok = solidPixels(W, H, [10, 20, 30]);
  const bad: [unknown, RegExp][] = [
    [image(ok, 'mono8', 1n), /encoding "mono8" is not rgb8 or bgr8/],
    [image(ok, 'rgb8', 1n, { width: 32 }), /size 32×48 is not the declared 64×48/],
    [image(ok.subarray(0, 100), 'rgb8', 1n), /data has 100 bytes, expected 9216/],
    [image(ok, 'rgb8', 1n, { step: 10 }), /step 10 is shorter than a row \(192 bytes\)/],
    [image([1, 2, 3] as never, 'rgb8', 1n), /data is not a byte array/],
    [{ header: undefined, width: W, height: H, encoding: 'rgb8', step: W * 3 } as never, /data is not a byte array/],
  ];
  for (const [msg] of bad) assert.doesNotThrow(() => publish(msg));
  assert.equal(camera.stats.malformed, bad.length);
  bad.forEach(([, pattern], i) => assert.match(malformed[i], pattern));
  assert.equal(camera.read(), undefined, 'no frame came from a malformed message');
  publish(image(ok, 'rgb8', 0n));
  const frame = camera.read()!;
  assert.equal(frame.seq, 1);
  assert.ok(frame.stampNs > 0n, 'a header without a stamp gets the receive time');
  assert.equal(camera.stats.lastMalformed, malformed.at(-1));
  await camera.disconnect();
  await graph.shutdown();
});

test('TopicCamera: readFresh waits for the next frame and times out naming the camera', async () => {
  const { graph, camera, publish } = setup();
  await camera.connect();
  const fresh = camera.readFresh(0, 5000);
  publish(image(solidPixels(W, H, [1, 2, 3]), 'rgb8', 10n));
  assert.equal((await fresh).seq, 1);
  await assert.rejects(camera.readFresh(1, 20), /TopicCamera 'wrist'#readFresh: no frame newer than seq 1 within 20 ms/);
  const pending = camera.readFresh(1, 5000);
  await camera.disconnect();
  await assert.rejects(pending, /was disconnected/);
  await graph.shutdown();
});

test('TopicCamera: CompressedImage jpeg and png decode to frames; undecodable ones are counted', async (t) => {
  const cv = openCvOrSkip(t);
  if (!cv) return;
  const { graph, camera, publish, malformed } = setup(true);
  assert.equal(camera.topic, '/wrist/image_raw/compressed');
  await camera.connect();
  const rgb = simLikePixels(W, H, 2);
  const bgrMat = new cv.Mat(Buffer.from(swapRb(rgb)), H, W, cv.CV_8UC3);
  const frames: number[] = [];
  const waitFrame = async (): Promise<void> => { frames.push((await camera.readFresh(frames.at(-1) ?? 0, 5000)).seq); };

  const png = cv.imencode('.png', bgrMat);
  let next = waitFrame();
  publish({ header: { stamp: timeFromNs(5n), frame_id: '' }, format: 'png', data: new Uint8Array(png) } satisfies CompressedImage);
  await next;
  assert.deepEqual(camera.read()!.data, rgb, 'png is lossless');
  assert.equal(camera.read()!.stampNs, 5n);

  const jpg = cv.imencode('.jpg', bgrMat, [cv.IMWRITE_JPEG_QUALITY, 95]);
  next = waitFrame();
  publish({ header: { stamp: timeFromNs(6n), frame_id: '' }, format: 'rgb8; jpeg compressed bgr8', data: new Uint8Array(jpg) } satisfies CompressedImage);
  await next;
  const data = camera.read()!.data;
  let err = 0;
  for (let i = 0; i < data.length; i++) err += Math.abs(data[i] - rgb[i]);
  assert.ok(err / data.length < 6, `jpeg mean abs error ${err / data.length}`);

  publish({ header: { stamp: timeFromNs(7n), frame_id: '' }, format: 'jpeg', data: new Uint8Array([1, 2, 3, 4, 5]) });
  publish({ header: { stamp: timeFromNs(8n), frame_id: '' }, format: 'tiff', data: new Uint8Array(jpg) });
  const small = cv.imencode('.png', new cv.Mat(H / 2, W / 2, cv.CV_8UC3, [0, 0, 0]));
  publish({ header: { stamp: timeFromNs(9n), frame_id: '' }, format: 'png', data: new Uint8Array(small) });
  for (let i = 0; i < 100 && camera.stats.malformed < 3; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(camera.stats.malformed, 3, JSON.stringify(malformed));
  assert.ok(malformed.some((m) => /format "tiff" is not jpeg or png/.test(m)));
  assert.ok(malformed.some((m) => /does not decode/.test(m)));
  assert.ok(malformed.some((m) => /decoded size 32×24 is not the declared 64×48/.test(m)));
  assert.equal(camera.read()!.seq, 2, 'bad messages produced no frames');
  await camera.disconnect();
  await graph.shutdown();
});
