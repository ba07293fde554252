// `armstack launch fleet-sim --robots 20` as a user runs it (the CLI from source, its own process), and its fleet
// page in headless Chromium: all 20 robots listed and online, from the broker's retained state and presence.
// Clicking the local robot opens its 3D view. Every wait is for a condition; no timing is asserted.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifacts, ensureClientBuilt, launchChromium, requireChromium, watchConsole } from './helpers/browser.js';
import { collect, spawnCli } from './helpers/cli.js';

type G = { __armstackOps?: { route: string; fleetRows: number } };

test('launch fleet-sim --robots 20: the fleet page lists 20 robots', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t)) return;
  ensureClientBuilt();
  mkdirSync(artifacts, { recursive: true });
  const child = spawnCli(['launch', 'fleet-sim', '--robots', '20', '--port', '0', '--mqtt-port', '0']);
  const exited = collect(child, 85_000);
  let browser: Browser | undefined;
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /fleet page at (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`fleet-sim exited (${code}) before printing its URL:\n${out}`)));
    });
    assert.match(url, /\?token=.*#\/fleet$/);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const problems = watchConsole(page);
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as G).__armstackOps?.route === 'fleet', undefined, { timeout: 30_000 });
    await page.waitForFunction(
      () => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document
        .querySelectorAll('.fleet-table tr[data-online="true"]').length === 20,
      undefined, { timeout: 45_000 },
    );
    const names = await page.locator('.fleet-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { robot: string } }).dataset.robot));
    assert.deepEqual(names, Array.from({ length: 20 }, (_, i) => `arm${i + 1}`));
    const summary = await page.locator('[data-fleet-summary]').textContent();
    assert.match(summary ?? '', /^20 robots · 20 online/);
    writeFileSync(join(artifacts, 'fleet-20-robots.png'), await page.screenshot({ fullPage: true }));

    // The local robot opens the 3D view.
    await page.locator('.fleet-table tr[data-robot="arm1"] td.robot-name').click();
    await page.waitForFunction(() => (globalThis as G).__armstackOps?.route === 'view', undefined, { timeout: 10_000 });
    assert.deepEqual(problems, [], 'no console errors, warnings or page errors');
  } finally {
    await browser?.close();
    child.kill('SIGINT');
    const result = await exited;
    assert.equal(result.code, 0, `fleet-sim exits cleanly on SIGINT:\n${result.stderr.slice(-2000)}`);
  }
});
