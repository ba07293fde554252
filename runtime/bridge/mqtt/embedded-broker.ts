// An in-process MQTT broker (aedes) for a single-machine setup, tests and the sim: users from a UserStore, topic
// permissions from acl.ts. aedes speaks MQTT 3.1.1 only (its README lists 5.0 as unsupported), so clients connect
// with protocolVersion 4; sender identity therefore travels in the topic (`cmd/<username>`), which this broker
// restricts to the authenticated username, rather than in an MQTT 5 user property.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { publishDenial, subscribeDenial } from './acl.js';
import { DEFAULT_TOPIC_PREFIX, parsePrefix, parseTopic } from './topics.js';
import type { User, UserStore } from './users.js';

export interface EmbeddedBrokerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  users: UserStore;
  /** The prefix template the permissions are checked against. */
  topicPrefix: string;
  /** Also serve MQTT over WebSocket (for browsers) on this port; 0 picks a free one. */
  wsPort?: number;
  /** Told about refused connections and denied packets; default: silent. */
  onDenied?: (what: string) => void;
}

export const DEFAULT_EMBEDDED_BROKER_CONFIG: Omit<EmbeddedBrokerConfig, 'users'> = {
  host: '127.0.0.1',
  port: 1883,
  topicPrefix: DEFAULT_TOPIC_PREFIX,
};

export interface EmbeddedBroker {
  /** `mqtt://host:port` */
  readonly url: string;
  readonly port: number;
  /** `ws://host:port` when wsPort was given. */
  readonly wsUrl?: string;
  /** aedes only speaks MQTT 3.1.1. */
  readonly protocolVersion: 4;
  readonly aedes: Aedes;
  /** Stops listening, disconnects every client and releases every handle. */
  close(): Promise<void>;
}

// Connect return code 4 in MQTT 3.1.1: bad user name or password.
const BAD_USERNAME_OR_PASSWORD = 4;

function listen(server: Server | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmbeddedBroker(
  config: Partial<EmbeddedBrokerConfig> & Pick<EmbeddedBrokerConfig, 'users'>,
): Promise<EmbeddedBroker> {
  const { host, port, users, topicPrefix, wsPort, onDenied } = { ...DEFAULT_EMBEDDED_BROKER_CONFIG, ...config };
  const template = parsePrefix(topicPrefix);
  const authenticated = new WeakMap<Client, User>();
  const denied = (what: string): void => onDenied?.(what);

  const aedes = await Aedes.createBroker({
    // A stuck subscriber must not stall command delivery to the others for long.
    drainTimeout: 10_000,
    authenticate(client, username, password, done) {
      users.authenticate(username, password).then(
        (user) => {
          if (user) {
            authenticated.set(client, user);
            return done(null, true);
          }
          denied(`connect refused: ${username ?? '(no username)'} (client ${client.id})`);
          const error = new Error(`bad username or password for ${username ?? '(none)'}`) as AuthenticateError;
          error.returnCode = BAD_USERNAME_OR_PASSWORD;
          done(error, false);
        },
        (error: Error) => done(Object.assign(error, { returnCode: 3 }) as AuthenticateError, false),
      );
    },
    authorizePublish(client, packet, done) {
      const user = client ? authenticated.get(client) : undefined;
      if (!user) return done(new Error(`publish to ${packet.topic} from an unauthenticated client`));
      const why = publishDenial(user, packet.topic, template);
      if (why) {
        denied(why);
        // MQTT 3.1.1 has no negative PUBACK: aedes closes the publisher's connection.
        return done(new Error(why));
      }
      // A retained command would be replayed to the bridge on every resubscribe; commands are never retained.
      if (packet.retain && parseTopic(template, packet.topic)?.channel === 'cmd') packet.retain = false;
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      const user = authenticated.get(client);
      const why = user ? subscribeDenial(user, subscription.topic, template) : 'not authenticated';
      if (why) {
        denied(why);
        // A null subscription refuses this filter with SUBACK 0x80 and keeps the connection.
        return done(null, null);
      }
      done(null, subscription);
    },
  });

  const sockets = new Set<Socket>();
  // Nagle off: small MQTT packets would otherwise wait for delayed ACKs (tens of ms per stop word).
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const boundPort = await listen(server, port, host);

  let httpServer: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let boundWsPort: number | undefined;
  if (wsPort !== undefined) {
    httpServer = createHttpServer();
    wss = new WebSocketServer({ server: httpServer });
    wss.on('connection', (ws, req) => aedes.handle(createWebSocketStream(ws), req));
    boundWsPort = await listen(httpServer, wsPort, host);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      for (const client of wss?.clients ?? []) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (httpServer) {
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      }
    })();
    return closing;
  };

  return {
    url: `mqtt://${host}:${boundPort}`,
    port: boundPort,
    wsUrl: boundWsPort === undefined ? undefined : `ws://${host}:${boundWsPort}`,
    protocolVersion: 4,
    aedes,
    close,
  };
}
