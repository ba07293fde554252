// Dashboard login: username/password against the same UserStore as the MQTT bridge, one-time login tokens
// (Jupyter-style `/?token=…`, exchanged once for a session cookie), expiring sessions, and the Origin check on
// WebSocket upgrades. Everything lives in memory: a restart logs everyone out, which is fine for a robot cell.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardRole } from './control-protocol.js';

export interface AuthUser {
  username: string;
  role: string;
}

/** The part of runtime/bridge/mqtt/users.ts's UserStore the dashboard uses. */
export interface UserDirectory {
  authenticate(username: string | undefined, password: string | undefined): Promise<AuthUser | undefined>;
}

export interface DashboardSession {
  readonly id: string;
  readonly user: string;
  readonly role: DashboardRole;
  readonly expiresAtMs: number;
}

export interface DashboardAuthConfig {
  users: UserDirectory;
  /** Session lifetime (default 12 h): a login lasts a shift. */
  sessionTtlMs?: number;
  /** How long an unused login token stays valid (default 24 h). */
  tokenTtlMs?: number;
  /** Origins (`http://host:port`) allowed besides the page's own, e.g. a reverse proxy's. */
  allowedOrigins?: readonly string[];
  nowMs?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export const SESSION_COOKIE = 'armstack_session';
const LOGIN_BODY_MAX_BYTES = 4096;
/** Sessions kept at most: a guesser creating sessions must not grow memory without bound. */
const MAX_SESSIONS = 10_000;

const DASHBOARD_ROLES: readonly string[] = ['viewer', 'operator', 'supervisor'];

function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

export class DashboardAuth {
  readonly sessionTtlMs: number;
  readonly #users: UserDirectory;
  readonly #tokenTtlMs: number;
  readonly #allowed: Set<string>;
  readonly #now: () => number;
  readonly #log: (level: 'info' | 'warn', message: string) => void;
  readonly #sessions = new Map<string, DashboardSession>();
  readonly #tokens = new Map<string, { user: string; role: DashboardRole; expiresAtMs: number }>();

  constructor(config: DashboardAuthConfig) {
    this.#users = config.users;
    this.sessionTtlMs = config.sessionTtlMs ?? 12 * 3600_000;
    this.#tokenTtlMs = config.tokenTtlMs ?? 24 * 3600_000;
    this.#allowed = new Set((config.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()));
    this.#now = config.nowMs ?? Date.now;
    this.#log = config.log ?? ((level, m) => { if (level === 'warn') console.warn(`[dashboard auth] ${m}`); });
    if (!(this.sessionTtlMs > 0)) throw new Error(`DashboardAuth: sessionTtlMs must be > 0, got ${config.sessionTtlMs}`);
  }

  /** A token that logs its bearer in once as `user` (the `?token=` of the URL printed at start). */
  issueLoginToken(user: string, role: DashboardRole): string {
    const token = newSecret();
    this.#tokens.set(token, { user, role, expiresAtMs: this.#now() + this.#tokenTtlMs });
    return token;
  }

  /** Consumes a login token: a session the first time, undefined ever after. */
  redeemToken(token: string): DashboardSession | undefined {
    for (const [key, entry] of this.#tokens) {
      if (!sameSecret(key, token)) continue;
      this.#tokens.delete(key);
      if (entry.expiresAtMs <= this.#now()) return undefined;
      return this.#newSession(entry.user, entry.role);
    }
    return undefined;
  }

  /** Checks a password against the user store; robots (role `robot`) do not log in to the dashboard. */
  async login(username: string, password: string): Promise<DashboardSession | undefined> {
    const user = await this.#users.authenticate(username, password);
    if (!user || !DASHBOARD_ROLES.includes(user.role)) return undefined;
    return this.#newSession(user.username, user.role as DashboardRole);
  }

  /** The live session a request's cookie names, or undefined (none, unknown or expired). */
  sessionOf(req: IncomingMessage): DashboardSession | undefined {
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    return id === undefined ? undefined : this.session(id);
  }

  session(id: string): DashboardSession | undefined {
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAtMs <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return s;
  }

  isLive(session: DashboardSession): boolean {
    return this.session(session.id) !== undefined;
  }

  logout(id: string): void {
    this.#sessions.delete(id);
  }

  /**
   * Browsers always send Origin on a WebSocket upgrade, and a page on another site can open a socket to us
   * with our cookie attached (cross-site WebSocket hijacking): only our own origin (the Host the browser asked
   * for) and the allow-list pass. No Origin at all means a non-browser client, which still needs a session.
   */
  checkOrigin(req: IncomingMessage): OriginVerdict {
    const origin = req.headers.origin;
    if (origin === undefined) return { ok: true };
    const o = origin.toLowerCase();
    if (this.#allowed.has(o)) return { ok: true };
    const host = req.headers.host?.toLowerCase();
    if (host && (o === `http://${host}` || o === `https://${host}`)) return { ok: true };
    return { ok: false, reason: `origin ${origin.slice(0, 100)} is not ${host ?? 'this server'} nor in the allow-list` };
  }

  /**
   * The auth routes: POST /api/login, POST /api/logout, GET /api/session, and any GET carrying `?token=`
   * (redeemed, then redirected to the same path without it, so the token never sits in the history).
   * Returns false for requests that are not its business.
   */
  async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/api/login') {
      if (req.method !== 'POST') return this.#methodNotAllowed(res, 'POST');
      await this.#handleLogin(req, res);
      return true;
    }
    if (path === '/api/logout') {
      if (req.method !== 'POST') return this.#methodNotAllowed(res, 'POST');
      const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (id) this.logout(id);
      json(res, 200, { ok: true }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
      return true;
    }
    if (path === '/api/session') {
      const s = this.sessionOf(req);
      if (!s) json(res, 401, { ok: false, error: 'not logged in' });
      else json(res, 200, { ok: true, user: s.user, role: s.role, expiresAtMs: s.expiresAtMs });
      return true;
    }
    const token = url.searchParams.get('token');
    if (token !== null && (req.method === 'GET' || req.method === 'HEAD')) {
      url.searchParams.delete('token');
      const location = `${path}${url.search}`;
      const session = this.redeemToken(token);
      if (!session) {
        this.#log('warn', `login token refused (unknown, used or expired) from ${req.socket.remoteAddress}`);
        res.writeHead(302, { location: `${location}${url.search ? '&' : '?'}login=token-invalid`, 'cache-control': 'no-store' });
        res.end();
        return true;
      }
      this.#log('info', `${session.user} (${session.role}) logged in with a one-time token`);
      res.writeHead(302, { location, 'set-cookie': this.cookieFor(session), 'cache-control': 'no-store' });
      res.end();
      return true;
    }
    return false;
  }

  cookieFor(session: DashboardSession): string {
    const maxAge = Math.max(0, Math.floor((session.expiresAtMs - this.#now()) / 1000));
    return `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
  }

  async #handleLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = this.checkOrigin(req);
    if (!verdict.ok) {
      json(res, 403, { ok: false, error: verdict.reason });
      return;
    }
    const text = await readBody(req, LOGIN_BODY_MAX_BYTES);
    let body: unknown;
    try {
      body = text === undefined ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const b = body as { username?: unknown; password?: unknown } | undefined;
    if (!b || typeof b.username !== 'string' || typeof b.password !== 'string' || b.username.length > 200 || b.password.length > 1000) {
      json(res, 400, { ok: false, error: 'send JSON {"username": string, "password": string}' });
      return;
    }
    const session = await this.login(b.username, b.password);
    if (!session) {
      this.#log('warn', `failed dashboard login for "${b.username.slice(0, 40)}" from ${req.socket.remoteAddress}`);
      json(res, 401, { ok: false, error: 'wrong username or password' });
      return;
    }
    this.#log('info', `${session.user} (${session.role}) logged in`);
    json(res, 200, { ok: true, user: session.user, role: session.role, expiresAtMs: session.expiresAtMs }, { 'set-cookie': this.cookieFor(session) });
  }

  #methodNotAllowed(res: ServerResponse, allow: string): true {
    res.setHeader('allow', allow);
    json(res, 405, { ok: false, error: 'method not allowed' });
    return true;
  }

  #newSession(user: string, role: DashboardRole): DashboardSession {
    const now = this.#now();
    if (this.#sessions.size >= MAX_SESSIONS) {
      for (const [id, s] of this.#sessions) if (s.expiresAtMs <= now) this.#sessions.delete(id);
      // Still full: drop the oldest (Map keeps insertion order).
      if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    }
    const session: DashboardSession = { id: newSecret(), user, role, expiresAtMs: now + this.sessionTtlMs };
    this.#sessions.set(session.id, session);
    return session;
  }
}
