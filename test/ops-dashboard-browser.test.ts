// The operations dashboard live, end to end: the real sim stack (MQTT bridge on, as `armstack launch sim` wires
// it) in headless Chromium. The camera panels show frames with the vision model's detections over them; the
// monitor page plots samples; an operator's MQTT command and its ack reach the event log, and a transcript from
// the robot's bridge the voice log. Every wait is for a condition; no timing is asserted.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { connect } from 'mqtt';
import { SimStack } from '../launch/sim-stack.js';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, watchConsole } from './helpers/browser.js';
import { goTo, requireOpenCv, simLaunch, waitOps, type OpsGlobal } from './helpers/ops-page.js';

test('operations dashboard: live cameras with detections, monitor plots, event and voice logs', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t) || !requireOpenCv(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const launch = simLaunch((l) => ({ ...l, dashboard: { ...l.dashboard, cameraFps: 8 }, recorder: { ...l.recorder, enabled: false } }));
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
    // Cameras on the 3D view, with the localizer's boxes on the overhead panel.
    const cams = await waitOps(page, 'camera frames and detections', (o) => (o.cameraFrames.overhead ?? 0) > 3 && (o.cameraFrames.wrist ?? 0) > 1 && o.detectionsDrawn > 0);
    writeFileSync(join(artifacts, 'ops-cameras.png'), await page.screenshot());
    assert.ok(cams.detectionsDrawn > 0);

    // Monitor: plots fill from metrics samples.
    await goTo(page, '#/monitor');
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
    // A transcript the robot's bridge publishes (as its voice listener does) lands in the voice log.
    await stack.bridge!.bridge!.publishTranscript({ utteranceId: 'u-ops-1', operator: 'operator', text: 'pick the red box', final: true, confidence: 0.91, intent: { intent: 'pick', color: 'red' } });
    await waitOps(page, 'the transcript in the voice log', (o) => o.voiceLog >= 1);
    assert.match(await page.locator('.log-voice').textContent() ?? '', /operator.*pick the red box.*"intent":"pick".*confidence 0\.91/s);
    writeFileSync(join(artifacts, 'ops-monitor.png'), await page.screenshot());

    assert.deepEqual(problems, [], 'no console errors, warnings or page errors');
  } finally {
    await browser?.close();
    await stack.stop();
    await stack.close();
  }
});
