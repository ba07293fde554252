// Roles on the dashboard, end to end with the real sim stack and Debian Chromium: a viewer logs in and sees the
// arm, its controls are greyed, and the server refuses (error status, logged) what a viewer sends anyway on a
// socket of its own; a supervisor releases a latched e-stop through the confirmation dialog.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, root } from './helpers/browser.js';
import { loginWithForm, waitUntil } from './helpers/dashboard-page.js';

test('dashboard roles: a viewer is refused by the server, a supervisor releases the e-stop', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const launch = loadLaunchDescription(join(root, 'launch/sim.launch.yaml'));
  const logLines: string[] = [];
  const stack = new SimStack(launch, { port: 0, seed: 6, bridge: false, log: (l) => logLines.push(l) });
  let browser: Browser | undefined;
  try {
    await stack.start();
    assert.ok(stack.url);
    stack.estop.trip('test', 'latched for the release check');
    browser = await launchChromium();
    // A viewer: logged in, sees the arm, but the server refuses anything it sends.
    const viewerCtx = await browser.newContext({ viewport: { width: 900, height: 600 } });
    const viewer = await viewerCtx.newPage();
    await loginWithForm(viewer, stack.url, 'viewer');
    assert.equal(await viewer.locator('[data-take]').isDisabled(), true, 'viewers get greyed controls');
    assert.equal(await viewer.locator('[data-estop-reset]').isVisible(), false, 'no release button for viewers');
    const socketUrl = new URL('ws', stack.url).href.replace(/^http/, 'ws');
    const refusals = await viewer.evaluate(async (url) => {
      // Straight onto a socket of its own, as a hand-crafted client would: the UI's greying is not the guard.
      const ws = new WebSocket(url, 'armstack.v1');
      const errors: string[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => {
          ws.send(JSON.stringify({ op: 'take_control' }));
          ws.send(JSON.stringify({ op: 'jog_joint', velocity: [1, 0, 0, 0, 0, 0] }));
          ws.send(JSON.stringify({ op: 'estop_reset' }));
        };
        ws.onmessage = (ev) => {
          const m = JSON.parse(ev.data as string) as { op: string; level?: string; message?: string };
          if (m.op === 'status' && m.level === 'error') errors.push(m.message!);
          if (errors.length === 3) resolve();
        };
        ws.onerror = () => reject(new Error('socket error'));
      });
      ws.close();
      return errors;
    }, socketUrl);
    assert.equal(refusals.length, 3);
    for (const r of refusals) assert.match(r, /viewer/);
    assert.ok(logLines.some((l) => /viewer.*refused|refused.*viewer/.test(l)), 'refusals are logged');
    assert.equal(stack.pipeline.source?.name, 'scripted_expert', 'the viewer did not take control');
    assert.equal(stack.estop.latched, true, 'the viewer did not release the e-stop');
    writeFileSync(join(artifacts, 'dashboard-roles-viewer.png'), await viewer.screenshot());
    await viewerCtx.close();

    // A supervisor releases it, through the confirmation dialog.
    const sup = await (await browser.newContext({ viewport: { width: 900, height: 600 } })).newPage();
    await loginWithForm(sup, stack.url, 'supervisor');
    await sup.locator('[data-estop-reset]').click();
    await sup.locator('[data-estop-dialog]').waitFor();
    writeFileSync(join(artifacts, 'dashboard-roles-release-dialog.png'), await sup.screenshot());
    await sup.locator('[data-estop-confirm]').click();
    await waitUntil(() => !stack.estop.latched, 'the supervisor to release the e-stop');
    await sup.waitForFunction(() => (globalThis as { __armstack?: { control: { safety: { estop: boolean } | null } } }).__armstack?.control.safety?.estop === false);
  } finally {
    await browser?.close();
    await stack.stop();
    await stack.close();
  }
});
