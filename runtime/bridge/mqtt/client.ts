// The bridge's connection to a broker: mqtt://, mqtts:// (CA, client certificate and key from files) or ws(s)://.
// A persistent session (clean start off, session expiry on MQTT 5) so QoS 1 commands sent while the bridge is away
// are delivered when it returns (the bridge then refuses the expired ones), and reconnects with exponential backoff.
import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { Type, type Static } from '@sinclair/typebox';
import { validateOrThrow } from '../../config/validate.js';
import { UserError } from '../../errors.js';

export const BridgeClientConfigSchema = Type.Object(
  {
    url: Type.String({ pattern: '^(mqtt|mqtts|ws|wss)://', description: 'mqtt://, mqtts://, ws:// or wss://' }),
    clientId: Type.String({ minLength: 1, maxLength: 64 }),
    username: Type.String({ minLength: 1 }),
    password: Type.Optional(Type.String()),
    /** 5 for mosquitto and other MQTT 5 brokers; the embedded aedes broker needs 4. */
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 5 }),
    tls: Type.Optional(
      Type.Object(
        {
          caPath: Type.Optional(Type.String()),
          certPath: Type.Optional(Type.String()),
          keyPath: Type.Optional(Type.String()),
          rejectUnauthorized: Type.Boolean({ default: true }),
        },
        { additionalProperties: false },
      ),
    ),
    /** MQTT 5: how long the broker keeps the session (and queued QoS 1 commands) after a disconnect. */
    sessionExpirySec: Type.Integer({ minimum: 0, default: 3600 }),
    keepaliveSec: Type.Integer({ minimum: 1, maximum: 600, default: 10 }),
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
    reconnectMinMs: Type.Integer({ minimum: 10, default: 200 }),
    reconnectMaxMs: Type.Integer({ minimum: 10, default: 10_000 }),
  },
  { additionalProperties: false },
);
export type BridgeClientConfig = Static<typeof BridgeClientConfigSchema>;
/** What callers write: the defaults fill the rest. */
export type BridgeClientConfigInput = Pick<BridgeClientConfig, 'url' | 'clientId' | 'username'> & Partial<BridgeClientConfig>;

export interface WillMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface BridgeClientHooks {
  /** Called before every connection attempt, so each attempt can register a fresh will (bdSeq). */
  will?: () => WillMessage;
  /** Every successful connection, the first included, before connectBridgeClient resolves for the first. */
  onConnect?: (client: MqttClient, connack: IConnackPacket) => void;
  /** Attached before the first CONNACK, so messages queued in a resumed session are not missed. */
  onMessage?: (topic: string, payload: Buffer, packet: IPublishPacket) => void;
  /** Errors after the first connect (refused reconnects, socket errors); they never throw. Default: ignored. */
  onError?: (error: Error) => void;
}

type ReconnectInternals = { _clearReconnect(): void };

function readTls(tls: NonNullable<BridgeClientConfig['tls']>): Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  const read = (path: string | undefined, what: string): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new UserError(`connectBridgeClient: tls.${what} ${path}: ${(error as Error).message}`);
    }
  };
  if ((tls.certPath === undefined) !== (tls.keyPath === undefined)) {
    throw new UserError('connectBridgeClient: tls.certPath and tls.keyPath go together');
  }
  return {
    ca: read(tls.caPath, 'caPath'),
    cert: read(tls.certPath, 'certPath'),
    key: read(tls.keyPath, 'keyPath'),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

type StreamBuilder = (client: MqttClient) => { setNoDelay?: (noDelay: boolean) => unknown };

/**
 * mqtt.connect() with Nagle's algorithm off on every connection it makes. mqtt.js writes a packet's header and body
 * separately, so with Nagle on, each small message waits for the peer's delayed ACK (about 40 ms on Linux) before its
 * second half leaves: a stop word would take tens of milliseconds on loopback instead of a fraction of one.
 */
export function connectLowLatency(url: string, options: IClientOptions): MqttClient {
  const client = connect(url, { ...options, manualConnect: true });
  // streamBuilder is private in mqtt.js's types but is the documented seam of MqttClient's constructor.
  const internals = client as unknown as { streamBuilder: StreamBuilder };
  const build = internals.streamBuilder;
  internals.streamBuilder = (c) => {
    const stream = build(c);
    stream.setNoDelay?.(true);
    return stream;
  };
  // mqtt.js reads manualConnect again in end(): left on, an ended client would reconnect forever.
  client.options.manualConnect = options.manualConnect;
  if (!options.manualConnect) client.connect();
  return client;
}

export function bridgeClientOptions(config: BridgeClientConfig): IClientOptions {
  return {
    clientId: config.clientId,
    username: config.username,
    password: config.password,
    protocolVersion: config.protocolVersion,
    clean: false,
    properties: config.protocolVersion === 5 ? { sessionExpiryInterval: config.sessionExpirySec } : undefined,
    keepalive: config.keepaliveSec,
    connectTimeout: config.connectTimeoutMs,
    reconnectPeriod: config.reconnectMinMs,
    // The bridge subscribes again itself whenever the broker has no session for it.
    resubscribe: false,
    queueQoSZero: false,
    ...(config.tls ? readTls(config.tls) : {}),
  };
}

/**
 * Connects and resolves once the broker accepted the first connection. A refused first connection (bad password,
 * not authorized) or no answer within connectTimeoutMs rejects and releases the client; later drops reconnect with
 * exponential backoff from reconnectMinMs to reconnectMaxMs, also after a refused reconnect.
 */
export async function connectBridgeClient(input: BridgeClientConfigInput, hooks: BridgeClientHooks = {}): Promise<MqttClient> {
  const config = validateOrThrow(BridgeClientConfigSchema, structuredClone(input), 'connectBridgeClient');
  if (config.reconnectMaxMs < config.reconnectMinMs) {
    throw new UserError('connectBridgeClient: reconnectMaxMs must be >= reconnectMinMs');
  }
  const options = bridgeClientOptions(config);
  if (hooks.will) options.will = hooks.will();
  const client = connectLowLatency(config.url, options);
  const onMessage = hooks.onMessage;
  if (onMessage) client.on('message', (topic, payload, packet) => onMessage(topic, payload, packet));
  let delayMs = config.reconnectMinMs;

  // mqtt.js retries on a fixed interval; before each attempt we stop that interval and lengthen the next one, so a
  // down broker is tried at 200 ms, 400 ms, ... up to the cap. A successful connect starts over.
  client.on('reconnect', () => {
    (client as unknown as ReconnectInternals)._clearReconnect();
    delayMs = Math.min(delayMs * 2, config.reconnectMaxMs);
    client.options.reconnectPeriod = delayMs;
    if (hooks.will) client.options.will = hooks.will();
  });
  client.on('connect', (connack) => {
    delayMs = config.reconnectMinMs;
    client.options.reconnectPeriod = delayMs;
    hooks.onConnect?.(client, connack);
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no CONNACK within ${config.connectTimeoutMs} ms`)), config.connectTimeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('connect', ok);
      client.off('error', fail);
    };
    const ok = (): void => {
      cleanup();
      resolve();
    };
    function fail(error: Error): void {
      cleanup();
      client.end(true);
      reject(new UserError(`connectBridgeClient: ${config.username}@${config.url}: ${error.message}`));
    }
    client.once('connect', ok);
    client.once('error', fail);
  });
  client.on('error', (error) => hooks.onError?.(error));
  // Once running, a refused reconnect (say, a broker restarting with its users not yet loaded) is retried.
  client.options.reconnectOnConnackError = true;
  return client;
}
