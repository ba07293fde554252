// Driving the dashboard page in the browser tests: the login form, condition waits, held buttons.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export type ControlHooks = {
  user: string | null; role: string | null; errors: string[];
  control: { you: boolean; owner: string | null } | null;
  safety: { estop: boolean } | null;
};
export type G = { __armstack?: { connected: boolean; robotLoaded: boolean; frames: number; control: ControlHooks } };

/** Polls a Node-side condition (the stack's state); fails after timeoutMs with what it waited for. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Logs in through the page's form with the dev password (username + "-dev") and waits for the live view. */
export async function loginWithForm(page: Page, url: string, username: string): Promise<void> {
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
export async function holdButton(page: Page, selector: string, cond: () => boolean, what: string): Promise<void> {
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
