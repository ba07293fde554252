// Lazy access to @u4/opencv4nodejs. The native module takes ~0.2 s to load and prints info lines, and a machine
// without libopencv cannot load it at all; so nothing on the default path imports it, and only the OpenCV camera,
// the compressed-image paths and the OpenCV preprocessor call loadOpenCv() when they are actually used.
import { createRequire } from 'node:module';
import { UserError } from '../../runtime/errors.js';

export type OpenCv = typeof import('@u4/opencv4nodejs').cv;
export type Mat = import('@u4/opencv4nodejs').Mat;

export const OPENCV_FIX_HINT =
  'install the system library with `apt-get install libopencv-dev`, then build the binding with ' +
  '`OPENCV4NODEJS_DISABLE_AUTOBUILD=1 npm rebuild @u4/opencv4nodejs`';

let cached: OpenCv | undefined;
let failure: Error | undefined;

/**
 * The OpenCV binding, loaded on first use. Throws a UserError that says how to fix it when it cannot load
 * (`who` names the caller, e.g. `OpenCvCamera#connect`). A failed load is remembered: retrying costs nothing.
 */
export function loadOpenCv(who: string): OpenCv {
  if (cached) return cached;
  if (!failure) {
    // External-memory tracking makes every Mat count toward V8's GC pressure; off, the p99 from GC drops (RECIPES).
    process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
    try {
      const require = createRequire(import.meta.url);
      silenceBuildLog(require);
      const mod = require('@u4/opencv4nodejs') as { cv?: OpenCv; default?: OpenCv };
      cached = mod.cv ?? mod.default;
      if (!cached || typeof cached.VideoCapture !== 'function') throw new Error('the module loaded but has no VideoCapture');
      return cached;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
  }
  throw new UserError(`${who}: @u4/opencv4nodejs could not be loaded (${firstLine(failure!.message)}); ${OPENCV_FIX_HINT}`);
}

/** Whether OpenCV loads here, without throwing; for tests that skip without it. */
export function openCvAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    loadOpenCv('openCvAvailable');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * opencv4nodejs logs its build environment (info lines) through @u4/opencv-build's Log on every load. Our own
 * error says what failed, so silence it; resolved from opencv4nodejs's folder, where npm put its dependency.
 */
function silenceBuildLog(require: NodeJS.Require): void {
  try {
    const fromBinding = createRequire(require.resolve('@u4/opencv4nodejs'));
    const build = fromBinding('@u4/opencv-build') as { Log?: { silence?: boolean } };
    if (build.Log) build.Log.silence = true;
  } catch {
    // Only cosmetic: the info lines stay.
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
}
