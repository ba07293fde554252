// Shared pieces of the browser tests: Debian Chromium through playwright-core, the built client, PNG checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { packageRoot } from '../../runtime/package-root.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
export const root = packageRoot();
export const artifacts = join(root, 'test-artifacts');
const clientOut = join(root, 'dist/dashboard/client');

/** window.__armstack as the client defines it (dashboard/client/src/main.ts); this tsconfig has no DOM lib. */
export interface PageHooks {
  frames: number;
  connected: boolean;
  robotLoaded: boolean;
  sceneObjects: number;
  renderedFrames(): number;
  armScreenRect(): { x: number; y: number; width: number; height: number } | null;
}
export type PageGlobal = { __armstack?: PageHooks };

/** False (and the test skipped) when Chromium is missing outside CI; in CI a missing Chromium fails. */
export function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) assert.fail(`chromium not installed at ${CHROMIUM}: apt-get install chromium`);
  t.skip('chromium not installed: apt-get install chromium');
  return false;
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtimeMs(path) : st.mtimeMs);
  }
  return newest;
}

/** Builds the client when it is missing or older than its sources (including the shared protocol). */
export function ensureClientBuilt(): void {
  const index = join(clientOut, 'index.html');
  // The client bundles the shared protocol modules too (protocol.ts, the *-protocol.ts it folds in, wire-checks.ts).
  const protocols = readdirSync(join(root, 'dashboard/server')).filter((n) => n.endsWith('protocol.ts') || n === 'wire-checks.ts');
  const sourcesMs = Math.max(newestMtimeMs(join(root, 'dashboard/client')), ...protocols.map((n) => statSync(join(root, 'dashboard/server', n)).mtimeMs));
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesMs) return;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'dashboard/client/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Collects console errors/warnings and page errors, minus Chromium's own software-compositing note. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    // Chromium's own note when --disable-gpu makes it read the WebGL canvas back for software compositing;
    // it comes with any WebGL page under these flags, not from the dashboard.
    if (/GL Driver Message \(OpenGL, Performance, .*\): GPU stall due to ReadPixels/.test(msg.text())) return;
    problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

export function decodePng(png: Buffer): PNG {
  return PNG.sync.read(png);
}

export function pixelAt(img: PNG, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

export function pixelDiff(a: number[], b: number[]): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** Asserts the canvas shows a lit scene: many pixels differ from the corner, and many colours. */
export function assertSceneDrawn(img: PNG): void {
  const background = pixelAt(img, 2, 2);
  let drawn = 0;
  const colours = new Set<number>();
  for (let y = 0; y < img.height; y += 2) {
    for (let x = 0; x < img.width; x += 2) {
      const p = pixelAt(img, x, y);
      if (pixelDiff(p, background) > 24) drawn++;
      colours.add(((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3));
    }
  }
  const sampled = Math.ceil(img.height / 2) * Math.ceil(img.width / 2);
  assert.ok(drawn / sampled > 0.2, `only ${((100 * drawn) / sampled).toFixed(1)}% of the canvas is drawn`);
  assert.ok(colours.size > 40, `only ${colours.size} colours: is the scene lit?`);
}

type Rect = { x: number; y: number; width: number; height: number };

/** Pixels that changed between two shots inside the union of the arm's two screen rectangles. */
export function changedPixelsInArm(img1: PNG, img2: PNG, rect1: Rect, rect2: Rect): number {
  const x0 = Math.max(0, Math.min(rect1.x, rect2.x));
  const y0 = Math.max(0, Math.min(rect1.y, rect2.y));
  const x1 = Math.min(img1.width, Math.max(rect1.x + rect1.width, rect2.x + rect2.width));
  const y1 = Math.min(img1.height, Math.max(rect1.y + rect1.height, rect2.y + rect2.height));
  let changed = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (pixelDiff(pixelAt(img1, x, y), pixelAt(img2, x, y)) > 32) changed++;
  }
  return changed;
}
