import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { DashboardAuth, SESSION_COOKIE, parseCookies, type UserDirectory } from './auth.js';

const users: UserDirectory = {
  async authenticate(username, password) {
    const table: Record<string, string> = { alice: 'operator', root: 'supervisor', vic: 'viewer', arm1: 'robot' };
    return username && table[username] && password === `${username}-pw` ? { username, role: table[username] } : undefined;
  },
};

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('DashboardAuth', () => {
  it('a login token works once and not twice', () => {
    const auth = new DashboardAuth({ users });
    const token = auth.issueLoginToken('root', 'supervisor');
    const s = auth.redeemToken(token);
    assert.equal(s?.user, 'root');
    assert.equal(s?.role, 'supervisor');
    assert.equal(auth.redeemToken(token), undefined);
    assert.equal(auth.redeemToken('nonsense'), undefined);
  });

  it('passwords come from the user directory; robots and wrong passwords get no session', async () => {
    const auth = new DashboardAuth({ users });
    assert.equal((await auth.login('alice', 'alice-pw'))?.role, 'operator');
    assert.equal(await auth.login('alice', 'wrong'), undefined);
    assert.equal(await auth.login('arm1', 'arm1-pw'), undefined, 'the robot account is not a dashboard user');
  });

  it('sessions expire', async () => {
    let now = 1_000;
    const auth = new DashboardAuth({ users, sessionTtlMs: 60_000, nowMs: () => now });
    const s = (await auth.login('vic', 'vic-pw'))!;
    const cookie = `${SESSION_COOKIE}=${s.id}`;
    assert.equal(auth.sessionOf(req({ cookie }))?.user, 'vic');
    now += 59_999;
    assert.ok(auth.isLive(s));
    now += 1;
    assert.equal(auth.sessionOf(req({ cookie })), undefined);
    assert.equal(auth.isLive(s), false);
  });

  it('expired tokens are refused', () => {
    let now = 0;
    const auth = new DashboardAuth({ users, tokenTtlMs: 1000, nowMs: () => now });
    const token = auth.issueLoginToken('root', 'supervisor');
    now = 1000;
    assert.equal(auth.redeemToken(token), undefined);
  });

  it('the Origin must be the page\'s own host or allow-listed', () => {
    const auth = new DashboardAuth({ users, allowedOrigins: ['https://ops.example.com'] });
    assert.ok(auth.checkOrigin(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })).ok);
    assert.ok(auth.checkOrigin(req({ host: '127.0.0.1:8080', origin: 'https://ops.example.com' })).ok);
    assert.ok(auth.checkOrigin(req({ host: '127.0.0.1:8080' })).ok, 'no Origin: a non-browser client (still needs a session)');
    const bad = auth.checkOrigin(req({ host: '127.0.0.1:8080', origin: 'http://evil.example' }));
    assert.equal(bad.ok, false);
    assert.equal(auth.checkOrigin(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9999' })).ok, false);
  });

  it('parses cookies', () => {
    assert.deepEqual([...parseCookies('a=1; armstack_session=xyz; b=')], [['a', '1'], ['armstack_session', 'xyz'], ['b', '']]);
  });
});
