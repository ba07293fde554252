// Recording and replaying a demonstration from the dashboard, end to end: the real sim stack with its recorder
// (as `armstack launch sim` wires it) in headless Chromium. The recorder controls record a short episode into a
// real MCAP; the episode browser lists and loads it; scrubbing the timeline moves the arm in the 3D view and
// brings the recorded camera frame. Every wait is for a condition; no timing is asserted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { SimStack } from '../launch/sim-stack.js';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, watchConsole } from './helpers/browser.js';
import { goTo, requireOpenCv, simLaunch, waitOps, type OpsGlobal } from './helpers/ops-page.js';

test('episode browser: record with the dashboard controls, then scrub the replay', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t) || !requireOpenCv(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const out = mkdtempSync(join(tmpdir(), 'armstack-replay-browser-'));
  // No live camera panels: only the recorder renders, so the machine's time goes to the episode.
  const launch = simLaunch((l) => ({ ...l, dashboard: { ...l.dashboard, cameraFps: 0 }, recorder: { ...l.recorder, outDir: out, cameraFps: 10, resetTimeS: 0 } }));
  const stack = new SimStack(launch, { port: 0, mqttPort: 0, seed: 4, log: () => undefined });
  let browser: Browser | undefined;
  try {
    await stack.start();
    assert.ok(stack.url);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const problems = watchConsole(page);
    await page.goto(stack.loginUrl()!);
    await page.waitForFunction(() => (globalThis as OpsGlobal).__armstack?.connected && (globalThis as OpsGlobal).__armstack?.robotLoaded, undefined, { timeout: 30_000 });

    // Demonstrations: record with the dashboard's controls.
    await goTo(page, '#/episodes');
    await waitOps(page, 'recorder status', (o) => o.route === 'episodes' && o.episodes.recorder?.phase === 'idle');
    await page.locator('[data-task]').fill('pick the red box');
    await page.locator('[data-object-name]').fill('red box');
    await page.locator('[data-rec="start"]').click();
    await waitOps(page, 'over a second recorded', (o) => o.episodes.recorder?.phase === 'recording' && o.episodes.recorder.elapsedS >= 1.5);
    await page.locator('[data-rec="stop"]').click();
    await waitOps(page, 'the recorder idle again', (o) => o.episodes.recorder?.phase === 'idle');
    await page.locator('[data-label="success"]').click();
    await page.locator('[data-refresh]').click();
    await waitOps(page, 'the episode listed', (o) => o.episodes.episodes >= 1);
    await page.locator('[data-episode]').first().click();
    const loaded = await waitOps(page, 'the episode loaded', (o) => o.episodes.loaded !== '' && o.episodes.pose.length > 0);
    const pose0 = loaded.episodes.pose;
    assert.ok(loaded.episodes.sceneSamples > 0, 'the episode carries its scene, replayed with the arm');

    // Scrub to the end: the arm takes the recorded pose there, and the recorded frame comes.
    const slider = page.locator('[data-timeline]');
    await slider.fill('1000');
    const end = await waitOps(page, 'the pose at the end', (o) => o.episodes.timeS > 1 && o.episodes.replayFrames > 0);
    assert.ok(end.episodes.sceneShownT > 0.5, `the scene follows the timeline (shown at ${end.episodes.sceneShownT} s)`);
    const moved = Math.max(...end.episodes.pose.map((v, i) => Math.abs(v - pose0[i])));
    assert.ok(moved > 0.01, `the arm pose changes along the timeline (max joint change ${moved.toFixed(4)} rad)`);
    await slider.fill('500');
    await waitOps(page, 'the pose mid-way', (o) => Math.abs(o.episodes.timeS - end.episodes.timeS / 2) < 0.2);
    writeFileSync(join(artifacts, 'ops-episode-replay.png'), await page.screenshot());

    assert.deepEqual(problems, [], 'no console errors, warnings or page errors');
  } finally {
    await browser?.close();
    await stack.stop();
    await stack.close();
    rmSync(out, { recursive: true, force: true });
  }
});
