// The foundation's end-to-end check: the real sim stack (as `armstack launch sim` wires it) with its dashboard,
// opened in headless Chromium. The WebGL canvas must be drawn, the arm must move between two screenshots, and the
// page must load without console errors.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import {
  artifacts, assertSceneDrawn, changedPixelsInArm, decodePng, ensureClientBuilt, launchChromium, requireChromium,
  root, watchConsole, type PageGlobal,
} from './helpers/browser.js';

test('armstack launch sim: the dashboard draws the sim arm and it moves', async (t) => {
  if (!requireChromium(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const launch = loadLaunchDescription(join(root, 'launch/sim.launch.yaml'));
  const stack = new SimStack(launch, { port: 0, seed: 2, log: () => undefined });
  let browser: Browser | undefined;
  try {
    await stack.start();
    assert.ok(stack.url, 'the dashboard is up');
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 960, height: 600 }, deviceScaleFactor: 1 });
    const problems = watchConsole(page);
    // The one-time supervisor link `armstack launch sim` prints: logs in and lands on the dashboard.
    await page.goto(stack.loginUrl()!);
    await page.waitForFunction(
      () => {
        const a = (globalThis as PageGlobal).__armstack;
        return a?.connected && a.robotLoaded && a.frames > 5 && a.sceneObjects === 4 && a.renderedFrames() > 2;
      },
      undefined,
      { timeout: 30_000 },
    );
    const canvas = page.locator('#view canvas');
    const rect1 = await page.evaluate(() => (globalThis as PageGlobal).__armstack!.armScreenRect());
    const shot1 = await canvas.screenshot();
    // The expert reaches for the first box within a couple of seconds of sim (= wall) time.
    await page.waitForTimeout(1500);
    const rect2 = await page.evaluate(() => (globalThis as PageGlobal).__armstack!.armScreenRect());
    const shot2 = await canvas.screenshot();
    writeFileSync(join(artifacts, 'sim-dashboard-1.png'), shot1);
    writeFileSync(join(artifacts, 'sim-dashboard-2.png'), shot2);

    const img1 = decodePng(shot1);
    const img2 = decodePng(shot2);
    assertSceneDrawn(img1);
    assert.ok(rect1 && rect2, 'the arm has a screen rectangle');
    const changed = changedPixelsInArm(img1, img2, rect1, rect2);
    assert.ok(changed > 300, `only ${changed} pixels changed in the arm region: did the arm move?`);
    assert.ok(stack.pipeline.counters.written > 10, 'the loop wrote commands');
    assert.deepEqual(problems, [], 'no console errors, warnings or page errors');
  } finally {
    await browser?.close();
    await stack.stop();
    await stack.close();
  }
});
