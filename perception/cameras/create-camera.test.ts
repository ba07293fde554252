import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcGraph, QoS } from '../../runtime/graph/index.js';
import { MsgTypes, type CompressedImage, type Image } from '../../runtime/messages/index.js';
import { createCamera, parseCameraConfig } from './create-camera.js';
import { OpenCvCamera } from './opencv-camera.js';
import { publishFrames } from './publish-frames.js';
import { TopicCamera } from './topic-camera.js';
import { FakeCamera } from './testing/fake-camera.js';
import { simLikePixels } from './testing/frames.js';
import { openCvOrSkip } from './testing/opencv-test.js';

test('parseCameraConfig: fills defaults and names the bad field', () => {
  const c = parseCameraConfig({ type: 'opencv', name: 'overhead', source: 0 }, 'sim.launch.yaml: cameras[0]');
  assert.deepEqual(c, { type: 'opencv', name: 'overhead', source: 0, width: 640, height: 480, fps: 30, encoding: 'rgb8' });
  assert.throws(() => parseCameraConfig({ type: 'opencv', name: 'x', source: 0, fps: -1 }, 'cfg'), /cfg.*fps/);
  assert.throws(() => parseCameraConfig({ type: 'topic', name: 'x', compresed: true }, 'cfg'), /compresed is not a known field/);
  assert.throws(() => parseCameraConfig({ type: 'usb', name: 'x' }, 'cfg'), /cfg: type must be one of "opencv", "sim", "topic", got "usb"/);
  assert.throws(() => parseCameraConfig({ type: 'sim', name: '1bad' }, 'cfg'), /name/);
});

test('createCamera: builds each kind; sim comes from the injected factory; missing deps are named', () => {
  const graph = new InProcGraph({ delivery: 'manual' });
  const node = graph.createNode('cams');
  // Constructing an OpenCvCamera does not load OpenCV (connect() does).
  assert.ok(createCamera(parseCameraConfig({ type: 'opencv', name: 'usb', source: '/dev/video0' })) instanceof OpenCvCamera);
  const topic = createCamera(parseCameraConfig({ type: 'topic', name: 'wrist', width: 64, height: 48 }), { node });
  assert.ok(topic instanceof TopicCamera);
  assert.equal(topic.info.width, 64);
  const made: string[] = [];
  const sim = createCamera(parseCameraConfig({ type: 'sim', name: 'overhead', view: 'overhead' }), {
    sim: (cfg) => { made.push(cfg.view ?? ''); return new FakeCamera(cfg.name, cfg.width, cfg.height); },
  });
  assert.equal(sim.info.name, 'overhead');
  assert.deepEqual(made, ['overhead']);
  assert.throws(() => createCamera(parseCameraConfig({ type: 'sim', name: 'overhead' })), /sim camera 'overhead' needs deps.sim/);
  assert.throws(() => createCamera(parseCameraConfig({ type: 'topic', name: 'wrist' })), /topic camera 'wrist' needs deps.node/);
  assert.throws(() => createCamera(parseCameraConfig({ type: 'sim', name: 'o', width: 320 }), { sim: (c) => new FakeCamera(c.name, 640, 480) }), /made camera 'o' 640×480, the config says 320×480/);
  void graph.shutdown();
});

test('publishFrames: fresh frames go to /<name>/image_raw as sensor_msgs/Image, only while someone listens', async () => {
  const graph = new InProcGraph();
  const camera = new FakeCamera('overhead', 32, 24);
  await camera.connect();
  const got: Image[] = [];
  const publisher = publishFrames(camera, graph.createNode('cam_pub'));
  assert.deepEqual(publisher.topics, ['/overhead/image_raw']);
  const pixels = simLikePixels(32, 24, 4);
  camera.push(pixels, 1_000n); // nobody listens yet: not copied, not published
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(publisher.stats.published, 0);
  graph.createNode('viewer').createSubscription<Image>(MsgTypes.Image, '/overhead/image_raw', (m) => got.push(m), QoS.sensorData);
  for (let i = 0; i < 3; i++) {
    camera.push(pixels, BigInt(2_000_000_000 + i));
    while (got.length < i + 1) await new Promise((r) => setTimeout(r, 5));
  }
  await publisher.stop();
  assert.equal(got.length, 3);
  const m = got[2];
  assert.equal(m.encoding, 'rgb8');
  assert.equal(m.width, 32);
  assert.equal(m.step, 96);
  assert.deepEqual(m.header.stamp, { sec: 2, nanosec: 2 });
  assert.equal(m.header.frame_id, 'overhead_optical_frame');
  assert.deepEqual(m.data, pixels);
  assert.notEqual(m.data.buffer, camera.read()!.data.buffer, 'the message owns a copy: the camera reuses its buffers');
  await camera.disconnect();
  await graph.shutdown();
});

test('publishFrames: JPEG on /<name>/image_raw/compressed that a TopicCamera decodes back', async (t) => {
  if (!openCvOrSkip(t)) return;
  const graph = new InProcGraph();
  const camera = new FakeCamera('overhead', 64, 48);
  await camera.connect();
  const publisher = publishFrames(camera, graph.createNode('cam_pub'), { compressed: true, jpegQuality: 95 });
  assert.deepEqual(publisher.topics, ['/overhead/image_raw', '/overhead/image_raw/compressed']);
  const remote = new TopicCamera({ name: 'overhead', width: 64, height: 48, fps: 30, compressed: true }, { node: graph.createNode('remote') });
  await remote.connect();
  const jpegs: CompressedImage[] = [];
  graph.createNode('tap').createSubscription<CompressedImage>(MsgTypes.CompressedImage, '/overhead/image_raw/compressed', (m) => jpegs.push(m), QoS.sensorData);
  const pixels = simLikePixels(64, 48, 5);
  const fresh = remote.readFresh(0, 5000);
  camera.push(pixels, 3_000_000_000n);
  const frame = await fresh;
  assert.equal(frame.stampNs, 3_000_000_000n);
  let err = 0;
  for (let i = 0; i < pixels.length; i++) err += Math.abs(frame.data[i] - pixels[i]);
  assert.ok(err / pixels.length < 6, `round trip mean abs error ${err / pixels.length}`);
  assert.match(jpegs[0].format, /jpeg/);
  assert.equal(publisher.stats.published, 0, 'no raw subscriber, no raw copy');
  await publisher.stop();
  await remote.disconnect();
  await camera.disconnect();
  await graph.shutdown();
});
