// Test plumbing for the bridge: a bridge with a recording executive and e-stop, operator clients, and an inbox that
// waits for matching messages with a deadline (so a missing ack fails in seconds rather than hanging the run).
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { connectLowLatency } from '../client.js';
import type { Intent } from '../../intents/index.js';
import { CommandBridge, type CommandBridgeDeps } from '../command-bridge.js';
import type { CommandContext, CommandProcessorConfig, ExecutionResult, Executive, LatchControl } from '../command-processor.js';
import type { Ack, Command } from '../schemas.js';
import { DEFAULT_TOPIC_PREFIX, robotTopics, type RobotTopics } from '../topics.js';
import { TEST_ROBOT, TEST_SITE, passwordOf, type TestBroker } from './brokers.js';

export const topics: RobotTopics = robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: TEST_SITE, robot: TEST_ROBOT });

export interface RecordingExecutive extends Executive {
  calls: Array<{ intent: Intent; ctx: CommandContext }>;
  result: ExecutionResult;
}

export function recordingExecutive(): RecordingExecutive {
  const executive: RecordingExecutive = {
    calls: [],
    result: 'done',
    handle(intent, ctx) {
      executive.calls.push({ intent, ctx });
      return Promise.resolve(executive.result);
    },
  };
  return executive;
}

export interface EstopCall {
  source: string;
  reason: string;
}

export interface TestBridge {
  bridge: CommandBridge;
  executive: RecordingExecutive;
  estops: EstopCall[];
  close(): Promise<void>;
}

export async function startTestBridge(
  broker: TestBroker,
  options: {
    url?: string;
    tls?: { caPath: string };
    commands?: Partial<CommandProcessorConfig>;
    latch?: LatchControl;
    initialBdSeq?: number;
    onEstop?: (c: EstopCall) => void;
    onAudio?: CommandBridgeDeps['onAudio'];
  } = {},
): Promise<TestBridge> {
  const executive = recordingExecutive();
  const estops: EstopCall[] = [];
  const bridge = new CommandBridge(
    { topics: { prefix: DEFAULT_TOPIC_PREFIX, site: TEST_SITE, robot: TEST_ROBOT }, commands: options.commands ?? {}, initialBdSeq: options.initialBdSeq ?? 0 },
    {
      executive,
      users: broker.users,
      latch: options.latch,
      onAudio: options.onAudio,
      onEstop: (source, reason) => {
        estops.push({ source, reason });
        options.onEstop?.({ source, reason });
      },
    },
  );
  await bridge.connect({
    url: options.url ?? broker.url,
    clientId: `bridge-${TEST_ROBOT}`,
    username: TEST_ROBOT,
    password: passwordOf(TEST_ROBOT),
    protocolVersion: broker.protocolVersion,
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    keepaliveSec: 5,
    ...(options.tls ? { tls: { caPath: options.tls.caPath, rejectUnauthorized: true } } : {}),
  });
  return { bridge, executive, estops, close: () => bridge.close() };
}

/** An operator's client: no reconnects, Nagle off like the bridge's. Rejects when the broker refuses it. */
export function connectUser(broker: TestBroker, username: string, options: { url?: string; password?: string } = {}): Promise<MqttClient> {
  const client = connectLowLatency(options.url ?? broker.url, {
    username,
    password: options.password ?? passwordOf(username),
    protocolVersion: broker.protocolVersion,
    clientId: `${username}-${randomUUID().slice(0, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  return new Promise((resolve, reject) => {
    const ok = (): void => {
      client.off('error', fail);
      client.off('close', closed);
      resolve(client);
    };
    const fail = (error: Error): void => {
      client.off('connect', ok);
      client.off('close', closed);
      client.end(true);
      reject(error);
    };
    const closed = (): void => fail(new Error(`connection closed before CONNACK for ${username}`));
    client.once('connect', ok);
    client.once('error', fail);
    client.once('close', closed);
  });
}

export interface Message<T> {
  topic: string;
  body: T;
  retain: boolean;
}

/** Collects JSON messages on a subscription. */
export class Inbox<T = unknown> {
  readonly messages: Array<Message<T>> = [];
  #waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient, readonly filter: string) {
    client.on('message', (topic, payload, packet) => {
      if (!topicMatches(filter, topic)) return;
      let body: T;
      try {
        body = JSON.parse(payload.toString('utf8')) as T;
      } catch {
        return;
      }
      this.messages.push({ topic, body, retain: packet.retain === true });
      for (const wake of this.#waiters) wake();
    });
  }

  static async open<T>(client: MqttClient, filter: string): Promise<Inbox<T>> {
    const inbox = new Inbox<T>(client, filter);
    await client.subscribeAsync(filter, { qos: 1 });
    return inbox;
  }

  count(pred: (body: T) => boolean = () => true): number {
    return this.messages.filter((m) => pred(m.body)).length;
  }

  /** Resolves with the first message (from the start) matching pred; rejects after timeoutMs naming `what`. */
  waitFor(pred: (body: T) => boolean, what: string, timeoutMs = 5000): Promise<T> {
    return this.waitUntil(() => this.messages.find((m) => pred(m.body))?.body, what, timeoutMs);
  }

  waitUntil<R>(probe: () => R | undefined, what: string, timeoutMs = 5000): Promise<R> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = probe();
        if (hit === undefined) return false;
        cleanup();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.messages.length} messages, last: ${JSON.stringify(this.messages.at(-1)?.body)}`));
      }, timeoutMs);
      // Probes may look at state outside this inbox (an e-stop counter, audio chunks), so poll as well.
      const poll = setInterval(() => void check(), 10);
      const cleanup = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(wake);
      };
      const wake = (): void => void check();
      this.#waiters.add(wake);
      check();
    });
  }
}

function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (t[i] === undefined || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

export function ackInbox(client: MqttClient): Promise<Inbox<Ack>> {
  return Inbox.open<Ack>(client, topics.ack);
}

/** A valid command from `operator` with a fresh id, issued now, 5 s to live. */
export function command(operator: string, fields: Partial<Command> & ({ text: string } | { intent: Intent })): Command {
  return { id: randomUUID(), operator, issuedAt: Date.now(), ttlMs: 5000, ...fields } as Command;
}

export function send(client: MqttClient, sender: string, body: unknown, options: { retain?: boolean } = {}): Promise<unknown> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return client.publishAsync(topics.cmd(sender), payload, { qos: 1, retain: options.retain ?? false });
}

/** The final ack (rejected, done or failed) of command `id`. */
export function finalAck(inbox: Inbox<Ack>, id: string | null, timeoutMs = 5000): Promise<Ack> {
  return inbox.waitFor((a) => a.id === id && (a.status === 'rejected' || a.status === 'done' || a.status === 'failed'), `final ack of ${id}`, timeoutMs);
}
