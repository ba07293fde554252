// Dashboard control end to end: the real sim stack (as `armstack launch sim` wires it, MQTT off) with its
// dashboard, Debian Chromium through playwright-core. An operator logs in with a password, takes control and
// holds a jog button: the sim arm's joint moves. The e-stop click latches and holds the arm, and held jogs no
// longer move it. (Viewers and the supervisor's release: dashboard-roles-browser.test.ts.) No timing is
// asserted: every wait is for a condition.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, root, watchConsole } from './helpers/browser.js';
import { holdButton, loginWithForm, waitUntil, type ControlHooks, type G } from './helpers/dashboard-page.js';

test('dashboard control: an operator jogs the sim arm and the e-stop click holds it', { timeout: 90_000 }, async (t) => {
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
    const operatorCtx = await browser.newContext({ viewport: { width: 960, height: 600 } });
    const page = await operatorCtx.newPage();
    const problems = watchConsole(page);

    const t0 = Date.now();
    const phase = (name: string): void => t.diagnostic(`${name} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await loginWithForm(page, stack.url, 'operator');
    phase('operator logged in');
    // The 3D view's extras: the safety workspace box and both camera frustums (the wrist one on its link).
    await page.waitForFunction(() => {
      const c = (globalThis as G).__armstack!.control as ControlHooks & { workspaceShown: boolean; frustums(): number };
      return c.workspaceShown && c.frustums() === 2;
    }, undefined, { timeout: 30_000 });
    writeFileSync(join(artifacts, 'dashboard-control-3d.png'), await page.screenshot());
    phase('3D extras drawn');
    await page.locator('[data-take]').click();
    await page.waitForFunction(() => (globalThis as G).__armstack!.control.control?.you === true);
    assert.equal(stack.pipeline.source?.name, 'teleop', 'teleop drives once the operator takes control');
    phase('control taken');

    // Joint 1 (shoulder_pan) jogs positive while the + button is held.
    const before = driver.readCommandPositions()[0];
    await holdButton(page, '[data-jog-joint="0"][data-sign="1"]', () => driver.readCommandPositions()[0] > before + 0.05, 'joint 1 to move +0.05 rad');
    writeFileSync(join(artifacts, 'dashboard-control-jogged.png'), await page.screenshot());
    assert.ok(stack.pipeline.counters.written > 0);

    // E-stop: one click reaches the latch and the driver's hold.
    // The keyboard's dead-man: A held jogs joint 1 negative until released.
    const beforeKey = driver.readCommandPositions()[0];
    await page.keyboard.down('a');
    try {
      await waitUntil(() => driver.readCommandPositions()[0] < beforeKey - 0.03, 'key A to jog joint 1 by -0.03 rad');
    } finally {
      await page.keyboard.up('a');
    }
    // A gamepad (Gamepad API, standard mapping): RB held as the dead-man, left stick pushed forward jogs the tool +x.
    const { kinematics } = stack.sim;
    const toolX = kinematics.fk(driver.readCommandPositions()).position.x;
    // A string, not a function: the page has no DOM types here, and tsx's name helpers do not exist there.
    await page.evaluate(`(() => {
      const buttons = Array.from({ length: 17 }, () => ({ pressed: false, touched: false, value: 0 }));
      buttons[5] = { pressed: true, touched: true, value: 1 };
      const pad = { id: 'test pad', index: 0, connected: true, mapping: 'standard', axes: [0, -1, 0, 0], buttons, timestamp: 0 };
      globalThis.__pad = pad;
      Object.defineProperty(navigator, 'getGamepads', { value: () => [pad], configurable: true });
      window.dispatchEvent(new Event('gamepadconnected'));
    })()`);
    try {
      await waitUntil(() => kinematics.fk(driver.readCommandPositions()).position.x > toolX + 0.01, 'the gamepad to jog the tool +1 cm in x');
    } finally {
      // Let go of RB: the dead-man stops the jog.
      await page.evaluate('globalThis.__pad.buttons[5].pressed = false');
    }
    // The tool gizmo: dragged from its centre (TransformControls' free-move handle), held still while the mouse
    // button stays down; goto_pose streams and the robot's IK brings the tool after it.
    await page.waitForFunction('globalThis.__armstack.control.gizmoCenter() !== null');
    // Point at the centre until the gizmo says a handle is under the pointer (it follows the tool, which may
    // still be settling after the gamepad jog on a slow machine).
    // Panels float over the view (teleop, cameras) and the tool may be under one: everything but the 3D canvas
    // steps aside for the drag.
    await page.evaluate(`(() => {
      const canvas = document.querySelector('#view canvas');
      globalThis.__asideForGizmo = [...document.querySelectorAll('body *')]
        .filter((el) => el !== canvas && !el.contains(canvas))
        .map((el) => { const was = el.style.visibility; el.style.visibility = 'hidden'; return [el, was]; });
    })()`);
    let center = { x: 0, y: 0 };
    for (let i = 0; ; i++) {
      center = await page.evaluate(`(() => {
        const c = globalThis.__armstack.control.gizmoCenter();
        const r = document.querySelector('#view canvas').getBoundingClientRect();
        return { x: c.x + r.left, y: c.y + r.top };
      })()`) as { x: number; y: number };
      await page.mouse.move(center.x + (i % 2), center.y);
      if (await page.evaluate('globalThis.__armstack.control.gizmoAxis() !== null')) break;
      if (i >= 50) {
        const under = await page.evaluate(`document.elementFromPoint(${center.x}, ${center.y})?.outerHTML.slice(0, 80)`);
        assert.fail(`no gizmo handle at its centre (${center.x.toFixed(0)}, ${center.y.toFixed(0)}); under the pointer: ${under}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const toolBefore = kinematics.fk(driver.readCommandPositions()).position;
    const toolMoved = (): number => {
      const p = kinematics.fk(driver.readCommandPositions()).position;
      return Math.hypot(p.x - toolBefore.x, p.y - toolBefore.y, p.z - toolBefore.z);
    };
    await page.mouse.down();
    try {
      await page.mouse.move(center.x + 25, center.y - 25, { steps: 5 });
      await waitUntil(() => toolMoved() > 0.01, 'the tool to follow the dragged gizmo by 1 cm');
    } finally {
      await page.mouse.up();
      await page.evaluate('for (const [el, was] of globalThis.__asideForGizmo) el.style.visibility = was');
    }
    phase('jogged');
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
    // The keyboard shortcut reaches the latch too: released here by a supervisor (server side), Esc trips it again.
    stack.estop.reset({ operator: 'test', role: 'supervisor' });
    await page.waitForFunction(() => (globalThis as G).__armstack!.control.safety?.estop === false);
    const holdsBeforeKey = driver.holdCount;
    await page.keyboard.press('Escape');
    await waitUntil(() => stack.estop.latched && driver.holdCount > holdsBeforeKey, 'Esc to latch the e-stop');
    assert.deepEqual(problems.filter((p) => !/401|Unauthorized/.test(p)), [], 'no console errors on the operator page');

    phase('e-stop checked');
  } finally {
    await browser?.close();
    await stack.stop();
    await stack.close();
  }
});
