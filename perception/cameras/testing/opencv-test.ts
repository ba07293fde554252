// Tests that need OpenCV: skip with the reason when it cannot load, unless CI is set (CI installs it, so a load
// failure there is a real failure).
import type { TestContext } from 'node:test';
import { loadOpenCv, openCvAvailable, type OpenCv } from '../opencv-loader.js';

export function openCvOrSkip(t: TestContext): OpenCv | undefined {
  const status = openCvAvailable();
  if (status.ok) return loadOpenCv('openCvOrSkip');
  if (process.env.CI) throw new Error(`OpenCV is required when CI is set: ${status.reason}`);
  t.skip(`OpenCV not available: ${status.reason}`);
  return undefined;
}
