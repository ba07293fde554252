// The two brokers every bridge test runs against: the embedded aedes and a real mosquitto, with the same users.
import { startEmbeddedBroker } from '../embedded-broker.js';
import { UserStore, hashPassword, type Role } from '../users.js';
import { DEFAULT_TOPIC_PREFIX } from '../topics.js';
import { mosquittoMissing, startMosquitto, type MosquittoInstance } from './mosquitto.js';

export type BrokerKind = 'aedes' | 'mosquitto';
export const BROKER_KINDS: readonly BrokerKind[] = ['aedes', 'mosquitto'];

export interface TestUser {
  username: string;
  role: Role;
  password: string;
}

export const TEST_USERS: readonly TestUser[] = [
  { username: 'alice', role: 'operator', password: 'alice-pw' },
  { username: 'bob', role: 'operator', password: 'bob-pw' },
  { username: 'sam', role: 'supervisor', password: 'sam-pw' },
  { username: 'vera', role: 'viewer', password: 'vera-pw' },
  { username: 'robot1', role: 'robot', password: 'robot1-pw' },
];

export const TEST_SITE = 'dock';
export const TEST_ROBOT = 'robot1';

export function passwordOf(username: string): string {
  const user = TEST_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`passwordOf: no test user ${username}`);
  return user.password;
}

let storePromise: Promise<UserStore> | undefined;

/** The test users with cheap scrypt hashes (N=1024), so hundreds of logins stay fast. */
export function testUserStore(): Promise<UserStore> {
  storePromise ??= (async () => {
    const users = await Promise.all(
      TEST_USERS.map(async (u) => ({ username: u.username, role: u.role, passwordHash: await hashPassword(u.password, { N: 1024, r: 8, p: 1 }) })),
    );
    return new UserStore(users, 'test users');
  })();
  return storePromise;
}

export interface TestBroker {
  readonly kind: BrokerKind;
  readonly url: string;
  readonly port: number;
  readonly protocolVersion: 4 | 5;
  readonly users: UserStore;
  /** Stops the broker as abruptly as it can and starts a fresh one (no retained messages, no sessions) on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * node:test `skip` value for a broker kind: mosquitto tests skip with a reason where it is not installed, unless
 * CI is set, where a missing broker must fail the run instead of passing quietly.
 */
export function brokerSkip(kind: BrokerKind): string | false {
  if (kind !== 'mosquitto' || process.env.CI) return false;
  return mosquittoMissing() ?? false;
}

export async function startTestBroker(kind: BrokerKind): Promise<TestBroker> {
  const users = await testUserStore();
  if (kind === 'aedes') {
    let broker = await startEmbeddedBroker({ users, port: 0, topicPrefix: DEFAULT_TOPIC_PREFIX });
    const port = broker.port;
    return {
      kind,
      url: broker.url,
      port,
      protocolVersion: 4,
      users,
      restart: async () => {
        await broker.close();
        broker = await startEmbeddedBroker({ users, port, topicPrefix: DEFAULT_TOPIC_PREFIX });
      },
      close: () => broker.close(),
    };
  }
  const mosquitto: MosquittoInstance = await startMosquitto({ users: TEST_USERS, topicPrefix: DEFAULT_TOPIC_PREFIX });
  return {
    kind,
    url: mosquitto.url,
    port: mosquitto.port,
    protocolVersion: 5,
    users,
    restart: () => mosquitto.restart(),
    close: () => mosquitto.close(),
  };
}
