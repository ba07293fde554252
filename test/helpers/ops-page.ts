// What the operations browser tests share: the page's __armstackOps hooks (dashboard/client/src/ops-ui.ts; this
// tsconfig has no DOM lib), a wait on them, and the sim stack as `armstack launch sim` wires it with its dashboard.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { loadLaunchDescription, type LaunchDescription } from '../../launch/launch-description.js';
import { openCvAvailable } from '../../perception/cameras/opencv-loader.js';
import { root } from './browser.js';

export type Ops = {
  route: string; eventLog: number; voiceLog: number; cameraFrames: Record<string, number>; detectionsDrawn: number; metricsSamples: number;
  episodes: { episodes: number; loaded: string; timeS: number; pose: number[]; replayFrames: number; sceneSamples: number; sceneShownT: number; recorder: { phase: string; elapsedS: number } | null };
};
export type OpsGlobal = { __armstackOps?: Ops; __armstack?: { connected: boolean; robotLoaded: boolean } };

export async function ops(page: Page): Promise<Ops> {
  return page.evaluate(() => JSON.parse(JSON.stringify((globalThis as OpsGlobal).__armstackOps)) as Ops);
}

/** Polls the hooks until cond holds; ARMSTACK_TEST_DEBUG=1 prints when each wait ends. */
export async function waitOps(page: Page, what: string, cond: (o: Ops) => boolean, timeoutMs = 40_000): Promise<Ops> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await ops(page);
    if (cond(o)) {
      if (process.env.ARMSTACK_TEST_DEBUG) console.error(`${new Date().toISOString()} ${what}`);
      return o;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(o)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function goTo(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => { (globalThis as unknown as { location: { hash: string } }).location.hash = h; }, hash);
}

/** Camera frames are JPEG through OpenCV: without it the test skips (outside CI) or fails (CI). */
export function requireOpenCv(t: TestContext): boolean {
  const cv = openCvAvailable();
  if (cv.ok) return true;
  if (process.env.CI) assert.fail(`OpenCV is needed for JPEG camera frames: ${cv.reason}`);
  t.skip(`OpenCV is needed for JPEG camera frames: ${cv.reason}`);
  return false;
}

export function simLaunch(patch: (l: LaunchDescription) => LaunchDescription = (l) => l): LaunchDescription {
  return patch(loadLaunchDescription(join(root, 'launch/sim.launch.yaml')));
}
