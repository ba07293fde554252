// End to end: DashboardServer over an in-process graph, the built client in headless Chromium (WebGL on
// SwiftShader), a sweeping arm. Screenshots land in test-artifacts/ for a human to look at.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DashboardServer } from '../dashboard/server/dashboard-server.js';
import {
  artifacts, assertSceneDrawn, changedPixelsInArm, decodePng, ensureClientBuilt, launchChromium, requireChromium,
  root, watchConsole, type PageGlobal,
} from './helpers/browser.js';
import { InProcGraph } from '../runtime/graph/index.js';
import { MsgTypes, type JointState, type SceneState } from '../runtime/messages/index.js';

const ARM_JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow', 'wrist_1', 'wrist_2', 'wrist_3', 'gripper_finger_left'];

function pose(x: number, y: number, z: number) {
  return { position: { x, y, z }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
}

function scene(): SceneState {
  const box = (id: string, color: string, x: number, y: number, s: number) => ({
    id, kind: 'box', color, size: { x: s, y: s, z: s }, pose: pose(x, y, s / 2), held: false, in_bin: 0,
  });
  return {
    header: { stamp: { sec: 1, nanosec: 0 }, frame_id: 'base_link' },
    objects: [
      box('red_1', 'red', 0.45, 0.05, 0.05),
      box('green_1', 'green', 0.55, -0.1, 0.06),
      box('blue_1', '#2f6fdf', 0.38, -0.18, 0.045),
      { id: 'cloth_1', kind: 'cloth', color: 'gold', size: { x: 0.16, y: 0.12, z: 0.004 }, pose: pose(0.6, 0.12, 0.002), held: false, in_bin: 0 },
    ],
    bins: [
      { number: 1, pose: pose(0.3, 0.42, 0.05), size: { x: 0.22, y: 0.16, z: 0.1 } },
      { number: 2, pose: pose(0.3, -0.42, 0.05), size: { x: 0.22, y: 0.16, z: 0.1 } },
    ],
  };
}

test('dashboard renders the arm and the scene, and the arm moves', async (t) => {
  if (!requireChromium(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });

  const graph = new InProcGraph();
  const armNode = graph.createNode('fake_arm');
  const jointPub = armNode.createPublisher<JointState>(MsgTypes.JointState, '/joint_states');
  const scenePub = armNode.createPublisher<SceneState>(MsgTypes.SceneState, '/scene');
  const serverConfig = {
    node: graph.createNode('dashboard'),
    port: 0,
    urdfPath: join(root, 'runtime/robot/description/arm6.urdf'),
    robotName: 'armstack_arm6',
  };
  const server = new DashboardServer(serverConfig);
  let server2: DashboardServer | undefined;
  const startedMs = Date.now();
  const publishTimer = setInterval(() => {
    const tS = (Date.now() - startedMs) / 1000;
    const ns = BigInt(Date.now()) * 1_000_000n;
    jointPub.publish({
      header: { stamp: { sec: Number(ns / 1_000_000_000n), nanosec: Number(ns % 1_000_000_000n) }, frame_id: '' },
      name: ARM_JOINTS,
      // A reach-over-the-table pose, sweeping the base ±0.8 rad every 4 s.
      position: [0.8 * Math.sin((2 * Math.PI * tS) / 4), -1.0, 1.7, 0.87, -1.5708, 0, 0.03],
      velocity: [],
      effort: [],
    });
  }, 1000 / 30);
  const sceneTimer = setInterval(() => scenePub.publish(scene()), 500);
  scenePub.publish(scene());

  let browser: Browser | undefined;
  try {
    const { url } = await server.start();
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 960, height: 600 }, deviceScaleFactor: 1 });
    const problems = watchConsole(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(url);

    await page.waitForFunction(
      () => {
        const a = (globalThis as PageGlobal).__armstack;
        return a?.connected && a.robotLoaded && a.frames > 5 && a.sceneObjects === 4 && a.renderedFrames() > 2;
      },
      undefined,
      { timeout: 20_000 },
    );
    const canvas = page.locator('#view canvas');
    await canvas.waitFor();
    assert.equal(await page.locator('[data-connection]').getAttribute('data-state'), 'open');
    assert.equal(await page.locator('[data-robot]').textContent(), 'armstack_arm6');

    const rect1 = await page.evaluate(() => (globalThis as PageGlobal).__armstack!.armScreenRect());
    const shot1 = await canvas.screenshot();
    await page.waitForTimeout(500);
    const rect2 = await page.evaluate(() => (globalThis as PageGlobal).__armstack!.armScreenRect());
    const shot2 = await canvas.screenshot();
    writeFileSync(join(artifacts, 'dashboard-1.png'), shot1);
    writeFileSync(join(artifacts, 'dashboard-2.png'), shot2);
    await page.screenshot({ path: join(artifacts, 'dashboard-page.png') });
    // Rate is measured over a second and redrawn twice a second, so by now it shows the live stream.
    const rateText = (await page.locator('[data-rate]').textContent()) ?? '';
    assert.ok(Number.parseFloat(rateText) >= 10, `header rate ${rateText}`);

    const img1 = decodePng(shot1);
    const img2 = decodePng(shot2);
    assert.equal(img1.width, img2.width);
    assertSceneDrawn(img1);
    // The arm moved between the shots: compare inside the union of its screen rectangles.
    assert.ok(rect1 && rect2, 'arm has a screen rectangle');
    const changed = changedPixelsInArm(img1, img2, rect1, rect2);
    assert.ok(changed > 300, `only ${changed} pixels changed in the arm region between screenshots`);

    assert.deepEqual(problems, [], 'no console errors, warnings or page errors');

    // The server goes away and comes back on the same port: the page reconnects by itself. (Chromium logs
    // each refused connection attempt as a console error, so only page errors count from here on.)
    const port = Number(new URL(url).port);
    await server.stop();
    await page.waitForFunction(() => !(globalThis as PageGlobal).__armstack!.connected, undefined, { timeout: 10_000 });
    const framesBefore = await page.evaluate(() => (globalThis as PageGlobal).__armstack!.frames);
    server2 = new DashboardServer({ ...serverConfig, node: graph.createNode('dashboard_2'), port });
    await server2.start();
    await page.waitForFunction(
      (n) => {
        const a = (globalThis as PageGlobal).__armstack!;
        return a.connected && a.frames > n + 3;
      },
      framesBefore,
      { timeout: 15_000 },
    );
    assert.deepEqual(pageErrors, []);
  } finally {
    clearInterval(publishTimer);
    clearInterval(sceneTimer);
    await browser?.close();
    await server.stop();
    await server2?.stop();
    await graph.shutdown();
  }
});
