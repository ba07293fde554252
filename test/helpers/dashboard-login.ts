// Logging in to a dashboard from Node: the one-time token link, or a password, to a session cookie.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ARMSTACK_WS_PROTOCOL } from '../../dashboard/server/protocol.js';

/** Follows a `?token=` link without following the redirect: the session cookie, or undefined if refused. */
export async function redeemLoginUrl(url: string): Promise<{ status: number; cookie?: string; location?: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? undefined;
  return { status: res.status, cookie: setCookie?.split(';')[0], location: res.headers.get('location') ?? undefined };
}

export async function passwordLogin(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(new URL('api/login', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, `login as ${username}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  assert.ok(cookie, 'a session cookie');
  return cookie;
}

export function wsUrl(baseUrl: string): string {
  return new URL('ws', baseUrl).href.replace(/^http/, 'ws');
}

/** Opens a socket; resolves with it once open, rejects with the HTTP status when the upgrade is refused. */
export function openSocket(baseUrl: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(baseUrl), ARMSTACK_WS_PROTOCOL, { headers });
    // Listening from the start: hello and identity arrive in the same read as the handshake.
    collect(ws);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

const collected = new WeakMap<WebSocket, { op: string; [k: string]: unknown }[]>();

/** The JSON messages a socket has received (and keeps receiving), since openSocket() made it. */
export function collect(ws: WebSocket): { op: string; [k: string]: unknown }[] {
  const seen = collected.get(ws);
  if (seen) return seen;
  const out: { op: string; [k: string]: unknown }[] = [];
  collected.set(ws, out);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    try { out.push(JSON.parse(String(data))); } catch { /* not ours */ }
  });
  return out;
}

/** Resolves with the first message (already received or arriving) that matches. */
export async function waitForMessage(
  msgs: { op: string; [k: string]: unknown }[], match: (m: { op: string; [k: string]: unknown }) => boolean, what: string,
): Promise<{ op: string; [k: string]: unknown }> {
  for (let i = 0; i < 600; i++) {
    const m = msgs.find(match);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no ${what} within 30 s; got ${JSON.stringify(msgs.slice(-5)).slice(0, 400)}`);
}
