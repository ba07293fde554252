import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../runtime/errors.js';
import { resolveImageFormat } from './image-format.js';

const missing = (): { ok: false; reason: string } => ({ ok: false, reason: '@u4/opencv4nodejs could not be loaded (no build)' });
const present = (): { ok: true } => ({ ok: true });

test('auto takes JPEG with OpenCV and falls back to raw without it, saying so', () => {
  const lines: string[] = [];
  assert.equal(resolveImageFormat('auto', (l) => lines.push(l), 'record', present), 'jpeg');
  assert.equal(lines.length, 0);
  assert.equal(resolveImageFormat('auto', (l) => lines.push(l), 'record', missing), 'raw');
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /armstack record: OpenCV is not available, so frames are stored raw \(sensor_msgs\/Image.*no build/);
  assert.equal(resolveImageFormat('raw', () => assert.fail('raw needs no OpenCV'), 'record', missing), 'raw');
});

test('an explicit JPEG request without OpenCV is a user error naming the cause', () => {
  assert.throws(() => resolveImageFormat('jpeg', () => undefined, 'recorder', missing),
    (e: unknown) => e instanceof UserError && /recorder: JPEG frames need OpenCV: .*no build/.test(e.message));
});
