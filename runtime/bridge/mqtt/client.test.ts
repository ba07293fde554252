// The bridge over the other transports: MQTT over WebSocket (embedded broker) and mqtts:// with a CA file (mosquitto
// with a certificate made by openssl for the test); plus the client's own refusals.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBridgeClient } from './client.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { brokerSkip, passwordOf, testUserStore, TEST_USERS, type TestBroker } from './testing/brokers.js';
import { ackInbox, command, connectUser, finalAck, send, startTestBridge } from './testing/harness.js';
import { freePort, startMosquitto } from './testing/mosquitto.js';

async function roundTrip(broker: TestBroker, bridgeUrl: string, bridgeTls?: { caPath: string }): Promise<void> {
  const rig = await startTestBridge(broker, { url: bridgeUrl, tls: bridgeTls });
  const alice = await connectUser(broker, 'alice');
  try {
    const acks = await ackInbox(alice);
    const cmd = command('alice', { text: 'go home' });
    await send(alice, 'alice', cmd);
    assert.equal((await finalAck(acks, cmd.id)).status, 'done');
  } finally {
    await alice.endAsync();
    await rig.close();
  }
}

describe('bridge client transports', () => {
  it('ws:// to the embedded broker', async () => {
    const users = await testUserStore();
    const embedded = await startEmbeddedBroker({ users, port: 0, wsPort: 0 });
    try {
      assert.ok(embedded.wsUrl?.startsWith('ws://127.0.0.1:'));
      const broker: TestBroker = { kind: 'aedes', url: embedded.url, port: embedded.port, protocolVersion: 4, users, restart: async () => undefined, close: () => embedded.close() };
      await roundTrip(broker, embedded.wsUrl!);
    } finally {
      await embedded.close();
    }
  });

  const opensslMissing = existsSync('/usr/bin/openssl') ? false : '/usr/bin/openssl is not installed';
  const skipTls = brokerSkip('mosquitto') || (process.env.CI ? false : opensslMissing);
  describe('mqtts:// to mosquitto with a CA file', { skip: skipTls }, () => {
    let dir: string;
    let broker: TestBroker;
    let close: () => Promise<void>;
    let tlsUrl: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'armstack-tls-'));
      const openssl = (...args: string[]): void => {
        const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
      };
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=armstack test CA');
      openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
      writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
      openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'san.ext');
      const tlsPort = await freePort();
      const mosquitto = await startMosquitto({
        users: TEST_USERS,
        // A second listener, with TLS; the plain one stays for the test's operator client.
        extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${join(dir, 'ca.crt')}`, `certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`],
      });
      tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
      broker = { kind: 'mosquitto', url: mosquitto.url, port: mosquitto.port, protocolVersion: 5, users: await testUserStore(), restart: () => mosquitto.restart(), close: () => mosquitto.close() };
      close = () => mosquitto.close();
    });
    after(async () => {
      await close?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('connects with the CA and serves commands', async () => {
      await roundTrip(broker, tlsUrl, { caPath: join(dir, 'ca.crt') });
    });

    it('refuses a server it cannot verify', async () => {
      await assert.rejects(
        connectBridgeClient({ url: tlsUrl, clientId: 'x', username: 'robot1', password: passwordOf('robot1'), connectTimeoutMs: 3000 }),
        /robot1@mqtts:\/\/127\.0\.0\.1:\d+: .*(certificate|self-signed|issuer)/i,
      );
    });
  });

  it('rejects bad configuration and unreachable brokers, naming them', async () => {
    await assert.rejects(connectBridgeClient({ url: 'http://127.0.0.1:1', clientId: 'x', username: 'u' }), /connectBridgeClient: url must match pattern/);
    await assert.rejects(
      connectBridgeClient({ url: 'mqtt://127.0.0.1:1', clientId: 'x', username: 'u', tls: { certPath: '/nope.crt', rejectUnauthorized: true } }),
      /certPath and tls.keyPath go together/,
    );
    const port = await freePort();
    await assert.rejects(connectBridgeClient({ url: `mqtt://127.0.0.1:${port}`, clientId: 'x', username: 'u', connectTimeoutMs: 1000 }), new RegExp(`u@mqtt://127.0.0.1:${port}`));
  });
});
