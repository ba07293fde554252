// Dashboard control end to end: the real sim stack (as `armstack launch sim` wires it, MQTT off) with its
// dashboard, Debian Chromium through playwright-core. An operator logs in with a password, takes control and
// holds a jog button: the sim arm's joint moves. The e-stop click latches and holds the arm, and held jogs no
// longer move it. A viewer's jog and take_control are refused by the server. No timing is asserted: every wait
// is for a condition.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, root, watchConsole } from './helpers/browser.js';

type ControlHooks = {
  user: string | null; role: string | null; errors: string[];
  control: { you: boolean; owner: string | null } | null;
  safety: { estop: boolean } | null;
};
type G = { __armstack?: { connected: boolean; robotLoaded: boolean; frames: number; control: ControlHooks } };

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function loginWithForm(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.locator('[data-login] input[name=username]').fill(username);
  await page.locator('[data-login] input[name=password]').fill(`${username}-dev`);
  await page.locator('[data-login] button[type=submit]').click();
  await page.waitForFunction((u) => {
    const a = (globalThis as G).__armstack;
    return a?.connected && a.robotLoaded && a.frames > 3 && a.control.user === u && a.control.control !== null;
  }, username, { timeout: 30_000 });
}

/** Holds the pointer down on a button until cond() holds, then releases it. */
async function holdButton(page: Page, selector: string, cond: () => boolean, what: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} is on the page`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  try {
    await waitUntil(cond, what);
  } finally {
    await page.mouse.up();
  }
}

test('dashboard control: operator jogs the sim arm, the e-stop holds it, a viewer is refused', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const launch = loadLaunchDescription(join(root, 'launch/sim.launch.yaml'));
  const logLines: string[] = [];
  const stack = new SimStack(launch, { port: 0, seed: 3, bridge: false, log: (l) => logLines.push(l) });
  const { driver } = stack.sim;
  let browser: Browser | undefined;
  try {
    await stack.start();
    assert.ok(stack.url);
    browser = await launchChromium();
    const operatorCtx = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    const page = await operatorCtx.newPage();
    const problems = watchConsole(page);

    await loginWithForm(page, stack.url, 'operator');
    await page.locator('[data-take]').click();
    await page.waitForFunction(() => (globalThis as G).__armstack!.control.control?.you === true);
    assert.equal(stack.pipeline.source?.name, 'teleop', 'teleop drives once the operator takes control');

    // Joint 1 (shoulder_pan) jogs positive while the + button is held.
    const before = driver.readCommandPositions()[0];
    await holdButton(page, '[data-jog-joint="0"][data-sign="1"]', () => driver.readCommandPositions()[0] > before + 0.05, 'joint 1 to move +0.05 rad');
    writeFileSync(join(artifacts, 'dashboard-control-jogged.png'), await page.screenshot());
    assert.ok(stack.pipeline.counters.written > 0);

    // E-stop: one click reaches the latch and the driver's hold.
    const holdsBefore = driver.holdCount;
    await page.locator('[data-estop]').click();
    await waitUntil(() => stack.estop.latched, 'the e-stop latch');
    assert.ok(driver.holdCount > holdsBefore, 'the driver was told to hold');
    assert.match(stack.estop.lastTrip!.source, /^dashboard:operator$/);
    await page.waitForFunction(() => (globalThis as G).__armstack!.control.safety?.estop === true);
    await page.locator('[data-safety-banner][data-level=estop]').waitFor();
    writeFileSync(join(artifacts, 'dashboard-control-estop.png'), await page.screenshot());

    // Held jogs while latched reach the filter and are stopped there: the arm stays where it is.
    const held = driver.readCommandPositions()[0];
    const estoppedBefore = stack.pipeline.counters.estopped;
    await holdButton(page, '[data-jog-joint="0"][data-sign="1"]', () => stack.pipeline.counters.estopped >= estoppedBefore + 10, '10 e-stopped ticks');
    assert.ok(Math.abs(driver.readCommandPositions()[0] - held) < 0.02, 'the arm holds while the e-stop is latched');

    // The operator may not release it (the button is a supervisor's); the server says so if asked anyway.
    assert.equal(await page.locator('[data-estop-reset]').isVisible(), false);

    // A viewer: logged in, sees the arm, but the server refuses anything it sends.
    const viewerCtx = await browser.newContext({ viewport: { width: 900, height: 600 } });
    const viewer = await viewerCtx.newPage();
    await loginWithForm(viewer, stack.url, 'viewer');
    assert.equal(await viewer.locator('[data-take]').isDisabled(), true, 'viewers get greyed controls');
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
    assert.equal(stack.estop.latched, true, 'the viewer did not release the e-stop');
    writeFileSync(join(artifacts, 'dashboard-control-viewer.png'), await viewer.screenshot());

    // A supervisor releases it, through the confirmation dialog.
    const supCtx = await browser.newContext({ viewport: { width: 900, height: 600 } });
    const sup = await supCtx.newPage();
    await loginWithForm(sup, stack.url, 'supervisor');
    await sup.locator('[data-estop-reset]').click();
    await sup.locator('[data-estop-confirm]').click();
    await waitUntil(() => !stack.estop.latched, 'the supervisor to release the e-stop');

    assert.deepEqual(problems.filter((p) => !/401|Unauthorized/.test(p)), [], 'no console errors on the operator page');
  } finally {
    await browser?.close();
    await stack.stop();
    await stack.close();
  }
});
