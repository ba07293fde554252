// OpenCvCamera on recorded clips: file replay is how CI tests the VideoCapture path (no camera on a CI machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from './camera.js';
import { classifySource, OpenCvCamera, type CameraStatusEvent } from './opencv-camera.js';
import type { OpenCv } from './opencv-loader.js';
import { openCvOrSkip } from './testing/opencv-test.js';

const W = 160, H = 120;
/** Frame i of the clip is solid COLOURS[i] (RGB) with a white square at column 10·i: colour and order both check. */
const COLOURS: [number, number, number][] = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [200, 200, 30], [30, 200, 200], [200, 30, 200]];

function writeClip(cv: OpenCv, path: string): void {
  const writer = new cv.VideoWriter(path, cv.VideoWriter.fourcc('MJPG'), 30, new cv.Size(W, H), true);
  COLOURS.forEach(([r, g, b], i) => {
    const mat = new cv.Mat(H, W, cv.CV_8UC3, [b, g, r]);
    mat.drawRectangle(new cv.Rect(10 * i + 4, 40, 16, 16), new cv.Vec3(255, 255, 255), -1);
    writer.write(mat);
  });
  writer.release();
}

/** Mean RGB of the frame's left edge (away from the marker square). */
function edgeColour(f: Frame): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < 3; x++) {
      const i = (y * f.width + x) * 3;
      for (let c = 0; c < 3; c++) sum[c] += f.data[i + c];
      n++;
    }
  }
  return sum.map((s) => s / n) as [number, number, number];
}

function nearest(rgb: [number, number, number]): number {
  let best = -1, bestD = Infinity;
  COLOURS.forEach((c, i) => {
    const d = Math.hypot(c[0] - rgb[0], c[1] - rgb[1], c[2] - rgb[2]);
    if (d < bestD) { bestD = d; best = i; }
  });
  assert.ok(bestD < 40, `colour ${rgb.map((v) => v.toFixed(0))} is far from every clip colour`);
  return best;
}

async function collect(camera: OpenCvCamera, count: number, timeoutMs = 5000): Promise<{ seq: number; stampNs: bigint; colour: number }[]> {
  const out: { seq: number; stampNs: bigint; colour: number }[] = [];
  let seq = camera.read()?.seq ?? 0;
  while (out.length < count) {
    const f = await camera.readFresh(seq, timeoutMs);
    seq = f.seq;
    out.push({ seq: f.seq, stampNs: f.stampNs, colour: nearest(edgeColour(f)) });
  }
  return out;
}

function tempClip(cv: OpenCv): { dir: string; clip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'armstack-cam-'));
  const clip = join(dir, 'clip.avi');
  writeClip(cv, clip);
  return { dir, clip };
}

test('classifySource: device index, V4L2 path, GStreamer pipeline, file', () => {
  assert.deepEqual(classifySource(0), { kind: 'device', arg: 0 });
  assert.deepEqual(classifySource('2'), { kind: 'device', arg: 2 });
  assert.deepEqual(classifySource('/dev/video1'), { kind: 'device', arg: '/dev/video1' });
  assert.equal(classifySource('v4l2src ! videoconvert ! appsink').kind, 'gstreamer');
  assert.equal(classifySource('clips/a.avi').kind, 'file');
});

test('OpenCvCamera: replays an MJPG clip in order, RGB, stamps increasing, seq +1, then reconnects at the end', async (t) => {
  const cv = openCvOrSkip(t);
  if (!cv) return;
  const { dir, clip } = tempClip(cv);
  const events: CameraStatusEvent[] = [];
  const camera = new OpenCvCamera({ name: 'replay', source: clip, width: W, height: H, fps: 60, reconnectInitialDelayMs: 20 }, { onStatus: (e) => events.push(e) });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    assert.equal(camera.connected, false);
    await camera.connect();
    assert.equal(camera.connected, true);
    const first = camera.read()!;
    assert.equal(first.seq, 1);
    assert.equal(first.encoding, 'rgb8');
    assert.equal(nearest(edgeColour(first)), 0, 'frame 1 is the clip\'s first colour, in RGB order');
    // The rest of the clip, then (end of file = lost source) a reconnect that replays it from the start.
    const frames = await collect(camera, COLOURS.length + 2);
    assert.deepEqual(frames.slice(0, COLOURS.length - 1).map((f) => f.colour), [1, 2, 3, 4, 5]);
    assert.deepEqual(frames.slice(COLOURS.length - 1, COLOURS.length + 1).map((f) => f.colour), [0, 1], 'replayed after the reconnect');
    let prev: { seq: number; stampNs: bigint } = first;
    for (const f of frames) {
      assert.equal(f.seq, prev.seq + 1, 'seq increments by one per frame');
      assert.ok(f.stampNs > prev.stampNs, 'capture stamps increase');
      prev = f;
    }
    assert.equal(camera.stats.reconnects, 1);
    assert.deepEqual(events.map((e) => e.state), ['connected', 'reconnecting', 'connected']);
    assert.match(events[1].detail, /read failed: end of file/);
  } finally {
    await camera.disconnect();
  }
  assert.equal(camera.connected, false);
  await assert.rejects(camera.readFresh(camera.read()!.seq, 50), /no frame newer|disconnected/);
});

test('OpenCvCamera: with loop the clip rewinds without a disconnect; bgr8 and a smaller declared size are honoured', async (t) => {
  const cv = openCvOrSkip(t);
  if (!cv) return;
  const { dir, clip } = tempClip(cv);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const events: string[] = [];
  const camera = new OpenCvCamera({ name: 'looped', source: clip, width: W / 2, height: H / 2, fps: 100, loop: true, encoding: 'bgr8' }, { onStatus: (e) => events.push(e.state) });
  try {
    await camera.connect();
    const frames: number[] = [];
    let seq = 0;
    while (frames.length < COLOURS.length * 2) {
      const f = await camera.readFresh(seq, 5000);
      seq = f.seq;
      assert.equal(f.width, W / 2);
      assert.equal(f.data.length, (W / 2) * (H / 2) * 3);
      const [b, g, r] = edgeColour(f);
      frames.push(nearest([r, g, b]));
    }
    assert.deepEqual(frames, [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    assert.deepEqual(events, ['connected']);
    assert.ok(camera.stats.resized > 0);
  } finally {
    await camera.disconnect();
  }
});

test('OpenCvCamera: a lost source is retried with backoff until it returns', async (t) => {
  const cv = openCvOrSkip(t);
  if (!cv) return;
  const { dir, clip } = tempClip(cv);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const events: CameraStatusEvent[] = [];
  const camera = new OpenCvCamera({ name: 'flaky', source: clip, width: W, height: H, fps: 100, reconnectInitialDelayMs: 10, reconnectMaxDelayMs: 40 }, { onStatus: (e) => events.push(e) });
  try {
    await camera.connect();
    // Take the file away: at its end the camera loses it and cannot reopen it.
    renameSync(clip, clip + '.away');
    while (events.filter((e) => /attempt \d+ failed/.test(e.detail)).length < 3) await new Promise((r) => setTimeout(r, 10));
    assert.equal(camera.connected, false);
    assert.equal(camera.state, 'reconnecting');
    renameSync(clip + '.away', clip);
    const f = await camera.readFresh(camera.read()!.seq, 5000);
    assert.equal(nearest(edgeColour(f)), 0, 'resumes from the reopened source');
    assert.equal(camera.connected, true);
    assert.equal(camera.stats.reconnects, 1);
    assert.match(events.at(-1)!.detail, /reopened video file .* after \d+ attempt/);
  } finally {
    await camera.disconnect();
  }
});

test('OpenCvCamera: a bogus source fails connect() with the camera and the source named', async (t) => {
  const cv = openCvOrSkip(t);
  if (!cv) return;
  const dir = mkdtempSync(join(tmpdir(), 'armstack-cam-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = new OpenCvCamera({ name: 'ghost', source: join(dir, 'nope.avi'), width: W, height: H, fps: 30 });
  await assert.rejects(missing.connect(), (e: Error) => e.name === 'UserError' && /OpenCvCamera#connect: camera 'ghost': video file .*nope\.avi does not exist/.test(e.message));
  const text = join(dir, 'notes.avi');
  writeFileSync(text, 'not a video\n');
  const junk = new OpenCvCamera({ name: 'junk', source: text, width: W, height: H, fps: 30 });
  await assert.rejects(junk.connect(), (e: Error) => e.name === 'UserError' && /OpenCvCamera#connect: camera 'junk'.*(cannot open|gave no frame)/.test(e.message));
  assert.equal(junk.connected, false);
});
