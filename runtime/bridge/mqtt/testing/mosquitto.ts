// Starts a real mosquitto for tests and benches: a temp folder with a generated mosquitto.conf, a password file made
// with `mosquitto_passwd -b`, and the acl file from mosquittoAcl(); waits for the port; stops it (and can restart it
// on the same port) afterwards. Test-only: production deployments use runtime/bridge/mqtt/mosquitto/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mosquittoAcl, type AclUser } from '../acl.js';
import { DEFAULT_TOPIC_PREFIX } from '../topics.js';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD_BIN = '/usr/bin/mosquitto_passwd';

export interface MosquittoUser extends AclUser {
  password: string;
}

export interface MosquittoOptions {
  users: readonly MosquittoUser[];
  topicPrefix?: string;
  /** Default: a free port. */
  port?: number;
  /** Extra lines appended to mosquitto.conf. */
  extraConfig?: string[];
}

export interface MosquittoInstance {
  readonly url: string;
  readonly port: number;
  readonly protocolVersion: 5;
  readonly dir: string;
  /** Everything mosquitto wrote to stderr (its log), for failure messages. */
  log(): string;
  /** Kills the broker (SIGKILL: no wills published, like a crash) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Kills the broker without starting it again. */
  kill(): Promise<void>;
  /** Starts a killed broker again. */
  start(): Promise<void>;
  /** Stops it and removes the temp folder. */
  close(): Promise<void>;
}

/** Undefined when mosquitto can run here, else why not. */
export function mosquittoMissing(): string | undefined {
  for (const bin of [MOSQUITTO_BIN, MOSQUITTO_PASSWD_BIN]) if (!existsSync(bin)) return `${bin} is not installed (apt-get install mosquitto)`;
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function writePasswords(file: string, users: readonly MosquittoUser[]): void {
  users.forEach((user, i) => {
    const args = i === 0 ? ['-c', '-b', file, user.username, user.password] : ['-b', file, user.username, user.password];
    const result = spawnSync(MOSQUITTO_PASSWD_BIN, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mosquitto_passwd ${user.username} failed: ${result.stderr || result.error?.message}`);
  });
}

export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoInstance> {
  const missing = mosquittoMissing();
  if (missing) throw new Error(`startMosquitto: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'armstack-mosquitto-'));
  const port = options.port ?? (await freePort());
  const passwd = join(dir, 'passwd');
  const acl = join(dir, 'acl');
  writePasswords(passwd, options.users);
  writeFileSync(acl, mosquittoAcl(options.users, options.topicPrefix ?? DEFAULT_TOPIC_PREFIX));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwd}`,
    `acl_file ${acl}`,
    'persistence false',
    'set_tcp_nodelay true',
    // Run as whoever runs the tests; as root, mosquitto would otherwise switch to a user that cannot read dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    // Tests push thousands of QoS 1 messages through one subscriber; the default queue of 1000 would drop some.
    'max_queued_messages 100000',
    'max_inflight_messages 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(options.extraConfig ?? []),
    '',
  ].join('\n'));

  let child: ChildProcess | undefined;
  let log = '';
  const start = async (): Promise<void> => {
    const proc = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      log = (log + chunk).slice(-20_000);
    });
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => reject(new Error(`mosquitto exited with ${code} while starting:\n${log}`)));
    });
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port, 5000), exited]);
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    protocolVersion: 5,
    dir,
    log: () => log,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    close: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
