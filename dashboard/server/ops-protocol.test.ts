import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame } from './camera-stream.js';
import { decodeFrame, FRAME_PREFIX_BYTES } from './ops-protocol.js';
import { parseClientMessage } from './protocol.js';

const bad = (text: string): string => {
  const r = parseClientMessage(text);
  assert.equal(r.ok, false, `expected ${text} to be refused`);
  return (r as { error: string }).error;
};

describe('operations ops: validation', () => {
  it('accepts every op in its documented shape', () => {
    const good = [
      { op: 'watch', streams: ['fleet', 'metrics', 'log', 'recorder'] },
      { op: 'camera_subscribe', cameras: ['overhead', 'wrist'] },
      { op: 'camera_ack', camera: 'overhead', seq: 12 },
      { op: 'recorder_start' },
      { op: 'recorder_start', task: 'fold the towel', object: { name: 'towel', category: 'cloth' } },
      { op: 'recorder_stop' }, { op: 'recorder_discard' }, { op: 'recorder_rerecord' },
      { op: 'recorder_label', label: 'success', notes: 'clean grasp' },
      { op: 'episodes_list' },
      { op: 'episode_load', name: 'episode_000001' },
      { op: 'episode_frame', name: 'episode_000001', camera: 'overhead', timeS: 1.5 },
    ];
    for (const m of good) {
      const r = parseClientMessage(JSON.stringify(m));
      assert.ok(r.ok, `${JSON.stringify(m)}: ${(r as { error?: string }).error}`);
      assert.equal(r.msg.op, m.op);
    }
  });

  it('names the field at fault', () => {
    assert.match(bad('{"op":"watch","streams":["fleet","camera"]}'), /watch\.streams\[1\] must be one of fleet, metrics, log, recorder/);
    assert.match(bad('{"op":"watch"}'), /watch\.streams is required/);
    assert.match(bad('{"op":"watch","streams":"fleet"}'), /watch\.streams must be an array/);
    assert.match(bad('{"op":"camera_subscribe","cameras":["../etc"]}'), /camera_subscribe\.cameras\[0\] must match/);
    assert.match(bad('{"op":"camera_ack","camera":"overhead","seq":-1}'), /camera_ack\.seq must be a non-negative integer/);
    assert.match(bad('{"op":"camera_ack","camera":"overhead","seq":1.5}'), /camera_ack\.seq/);
    assert.match(bad('{"op":"recorder_start","object":{"name":"x","category":"liquid"}}'), /recorder_start\.object\.category must be one of cloth, bag, cardboard, rigid/);
    assert.match(bad('{"op":"recorder_start","object":{"category":"cloth"}}'), /recorder_start\.object\.name is required/);
    assert.match(bad('{"op":"recorder_start","task":7}'), /recorder_start\.task must be a string/);
    assert.match(bad(`{"op":"recorder_start","task":"${'x'.repeat(300)}"}`), /recorder_start\.task is longer than 200/);
    assert.match(bad('{"op":"recorder_label","label":"meh"}'), /recorder_label\.label must be one of success, failure/);
    assert.match(bad('{"op":"recorder_stop","now":true}'), /recorder_stop: unknown field 'now'/);
    assert.match(bad('{"op":"episode_load","name":"../../secret"}'), /episode_load\.name must match/);
    assert.match(bad('{"op":"episode_frame","name":"e","camera":"overhead","timeS":-1}'), /episode_frame\.timeS must be a finite number >= 0/);
    assert.match(bad('{"op":"episode_frame","name":"e","camera":"overhead","timeS":"1"}'), /episode_frame\.timeS/);
  });

  it('never throws on random input', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const ops = ['watch', 'camera_subscribe', 'camera_ack', 'recorder_start', 'recorder_label', 'episode_load', 'episode_frame'];
    const values = [null, 1, -1, 1e308, 'x', '', [], [1], ['fleet'], {}, { name: 1 }, true, 'overhead'];
    for (let i = 0; i < 2000; i++) {
      const m: Record<string, unknown> = { op: ops[Math.floor(rand() * ops.length)] };
      for (const k of ['streams', 'cameras', 'camera', 'seq', 'task', 'object', 'label', 'notes', 'name', 'timeS']) {
        if (rand() < 0.3) m[k] = values[Math.floor(rand() * values.length)];
      }
      const r = parseClientMessage(JSON.stringify(m));
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});

describe('binary frames', () => {
  it('round-trip: magic, u32 LE header length, JSON header, JPEG', () => {
    const jpeg = Uint8Array.of(0xff, 0xd8, 1, 2, 3, 0xff, 0xd9);
    const bytes = encodeFrame({ kind: 'live', camera: 'overhead', seq: 3, stampNs: '123', width: 640, height: 480, detections: [{ label: 'red', score: 0.9, cx: 1, cy: 2, w: 3, h: 4 }] }, jpeg);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x41, 0x53, 0x46, 0x31]);
    const d = decodeFrame(bytes);
    assert.ok(d);
    assert.equal(d.header.camera, 'overhead');
    assert.equal(d.header.detections?.[0].label, 'red');
    assert.deepEqual([...d.jpeg], [...jpeg]);
    assert.equal(bytes.readUInt32LE(4) + FRAME_PREFIX_BYTES + jpeg.length, bytes.length);
  });

  it('refuses what is not a frame', () => {
    assert.equal(decodeFrame(Uint8Array.of(1, 2, 3)), undefined);
    assert.equal(decodeFrame(Uint8Array.of(0x41, 0x53, 0x46, 0x31, 255, 255, 0, 0, 1)), undefined);
    assert.equal(decodeFrame(Uint8Array.of(0x41, 0x53, 0x46, 0x31, 2, 0, 0, 0, 0x7b, 0x7b)), undefined);
  });
});
