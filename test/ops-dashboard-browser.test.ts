// The operations half of the dashboard end to end: the real sim stack (MQTT bridge and recorder on, as
// `armstack launch sim` wires it) in headless Chromium. The live camera panels show frames with the vision
// model's detections over them; the monitor page plots samples; an episode is recorded with the dashboard's
// recorder controls, found in the episode browser and replayed: scrubbing the timeline moves the arm in the 3D
// view and brings the recorded camera frame. Every wait is for a condition; no timing is asserted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { connect } from 'mqtt';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { openCvAvailable } from '../perception/cameras/opencv-loader.js';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, root, watchConsole } from './helpers/browser.js';

type Ops = {
  route: string; eventLog: number; cameraFrames: Record<string, number>; detectionsDrawn: number; metricsSamples: number;
  episodes: { episodes: number; loaded: string; timeS: number; pose: number[]; replayFrames: number; recorder: { phase: string; elapsedS: number } | null };
};
type G = { __armstackOps?: Ops; __armstack?: { connected: boolean; robotLoaded: boolean } };

async function ops(page: Page): Promise<Ops> {
  return page.evaluate(() => JSON.parse(JSON.stringify((globalThis as G).__armstackOps)) as Ops);
}

async function waitOps(page: Page, what: string, cond: (o: Ops) => boolean, timeoutMs = 40_000): Promise<Ops> {
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

test('operations dashboard: live cameras with detections, monitor plots, record and replay an episode', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const cv = openCvAvailable();
  if (!cv.ok) {
    if (process.env.CI) assert.fail(`OpenCV is needed for JPEG camera frames: ${cv.reason}`);
    t.skip(`OpenCV is needed for JPEG camera frames: ${cv.reason}`);
    return;
  }
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const out = mkdtempSync(join(tmpdir(), 'armstack-ops-browser-'));
  const base = loadLaunchDescription(join(root, 'launch/sim.launch.yaml'));
  const launch = {
    ...base,
    dashboard: { ...base.dashboard, cameraFps: 8 },
    recorder: { ...base.recorder, outDir: out, cameraFps: 10, resetTimeS: 0 },
  };
  const logLines: string[] = [];
  const stack = new SimStack(launch, { port: 0, mqttPort: 0, seed: 4, log: (l) => logLines.push(l) });
  let browser: Browser | undefined;
  try {
    await stack.start();
    assert.ok(stack.url);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const problems = watchConsole(page);
    await page.goto(stack.loginUrl()!);
    await page.waitForFunction(() => (globalThis as G).__armstack?.connected && (globalThis as G).__armstack?.robotLoaded, undefined, { timeout: 30_000 });

    // Cameras on the 3D view, with the localizer's boxes on the overhead panel.
    const cams = await waitOps(page, 'camera frames and detections', (o) => (o.cameraFrames.overhead ?? 0) > 3 && (o.cameraFrames.wrist ?? 0) > 1 && o.detectionsDrawn > 0);
    writeFileSync(join(artifacts, 'ops-cameras.png'), await page.screenshot());
    assert.ok(cams.detectionsDrawn > 0);

    // Monitor: plots fill from metrics samples.
    await page.evaluate(() => { (globalThis as unknown as { location: { hash: string } }).location.hash = '#/monitor'; });
    await waitOps(page, 'metrics samples', (o) => o.route === 'monitor' && o.metricsSamples >= 3);
    assert.ok(await page.locator('.monitor-page .uplot').count() >= 3, 'uPlot charts drawn');
    // An operator's MQTT command and the robot's ack land in the event log (dev users, launch/users.dev.yaml).
    const op = connect(stack.bridge!.url, { username: 'operator', password: 'operator-dev', protocolVersion: 4, reconnectPeriod: 0 });
    await new Promise<void>((res, rej) => { op.once('connect', () => res()); op.once('error', rej); });
    await op.publishAsync('armstack/v1/site1/arm1/cmd/operator', JSON.stringify({ id: 'ops-test-1', operator: 'operator', text: 'resume', issuedAt: Date.now(), ttlMs: 5000 }), { qos: 1 });
    await op.endAsync();
    await waitOps(page, 'the command and its ack in the event log', (o) => o.eventLog >= 2);
    const logText = await page.locator('.log-events').textContent();
    assert.match(logText ?? '', /command.*operator.*resume/s);
    writeFileSync(join(artifacts, 'ops-monitor.png'), await page.screenshot());

    // Demonstrations: record with the dashboard's controls.
    await page.evaluate(() => { (globalThis as unknown as { location: { hash: string } }).location.hash = '#/episodes'; });
    await waitOps(page, 'recorder status', (o) => o.route === 'episodes' && o.episodes.recorder?.phase === 'idle');
    await page.locator('[data-task]').fill('pick the red box');
    await page.locator('[data-object-name]').fill('red box');
    await page.locator('[data-rec="start"]').click();
    await waitOps(page, 'two seconds recorded', (o) => o.episodes.recorder?.phase === 'recording' && o.episodes.recorder.elapsedS >= 2);
    await page.locator('[data-rec="stop"]').click();
    await waitOps(page, 'the recorder idle again', (o) => o.episodes.recorder?.phase === 'idle');
    await page.locator('[data-label="success"]').click();
    await page.locator('[data-refresh]').click();
    await waitOps(page, 'the episode listed', (o) => o.episodes.episodes >= 1);
    await page.locator('[data-episode]').first().click();
    const loaded = await waitOps(page, 'the episode loaded', (o) => o.episodes.loaded !== '' && o.episodes.pose.length > 0);
    const pose0 = loaded.episodes.pose;

    // Scrub to the end: the arm takes the recorded pose there, and the recorded frame comes.
    const slider = page.locator('[data-timeline]');
    await slider.fill('1000');
    const end = await waitOps(page, 'the pose at the end', (o) => o.episodes.timeS > 1.5 && o.episodes.replayFrames > 0);
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
