import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { QoS, type GraphNode } from '../../runtime/graph/index.js';
import { MsgTypes, type JointState, type SceneState } from '../../runtime/messages/index.js';
import { ClientSession } from './client-session.js';
import type { DashboardAuth } from './auth.js';
import type { DashboardRole } from './control-protocol.js';
import { TeleopHandler, type ControlPeer, type RobotControl } from './teleop-handler.js';
import { FrameStore } from './frame-store.js';
import { isOpsMessage, type OpsHub } from './ops-hub.js';
import { defaultStaticDir } from './package-root.js';
import {
  ARMSTACK_WS_PROTOCOL,
  MAX_CLIENT_MESSAGE_BYTES,
  TOPIC_NAMES,
  parseClientMessage,
  type HelloMsg,
  type StatusLevel,
} from './protocol.js';
import { StaticFiles, sendFile, sendText } from './static-files.js';
import { WS_CLOSED, WS_OPEN, type WebSocketLike } from './web-socket-like.js';

export interface DashboardServerConfig {
  /** The server subscribes on this node; the caller owns it (and destroys it). */
  node: GraphNode;
  /** 0 picks a free port; start() returns the real one in its url. */
  port: number;
  host?: string;
  /** The built client; defaults to <package root>/dist/dashboard/client. */
  staticDir?: string;
  urdfPath: string;
  robotName: string;
  /** Stream rate bound per client (default 30). */
  maxRateHz?: number;
  /** Socket backlog above which a client counts as slow and frames are dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Where the server reports trouble it recovered from (default: warn/error to stderr). */
  log?: (level: StatusLevel, message: string) => void;
  /** Login, sessions and the Origin check (auth.ts). Without it every client is anonymous with anonymousRole. */
  auth?: DashboardAuth;
  /** Role of every client when there is no auth (default viewer: a server without auth moves nothing). */
  anonymousRole?: DashboardRole;
  /** The robot's teleop/e-stop side (teleop-handler.ts); without it control messages are refused. */
  control?: RobotControl;
}

/** Who a connection belongs to, decided at the upgrade. */
export interface ConnectionIdentity {
  user: string;
  role: DashboardRole;
  /** The auth session behind it; absent without auth. */
  sessionId?: string;
  expiresAtMs: number;
}

const WS_PATH = '/ws';
const CLOSE_GRACE_MS = 300;

function defaultLog(level: StatusLevel, message: string): void {
  if (level !== 'info') console.warn(`[dashboard] ${level}: ${message}`);
}

/** Text of a `ws` message payload (Buffer, Buffer[] or ArrayBuffer), or a fake socket's string. */
function payloadText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data) && data.every((d) => Buffer.isBuffer(d))) return Buffer.concat(data).toString('utf8');
  return undefined;
}

/**
 * HTTP + WebSocket front of the dashboard: serves the built client and the URDF, and streams the newest
 * joint states and scene to every browser at a bounded rate. It is a side tap: it only subscribes.
 */
export class DashboardServer {
  readonly #config: Required<Omit<DashboardServerConfig, 'staticDir' | 'auth' | 'control'>>
    & Pick<DashboardServerConfig, 'auth' | 'control'> & { staticDir: string };
  readonly #static: StaticFiles;
  readonly #store = new FrameStore();
  readonly #sessions = new Set<ClientSession>();
  #nextSessionId = 1;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #subscriptions: { destroy(): void }[] = [];
  #startedAtMs = 0;
  #url: string | undefined;
  #teleop: TeleopHandler | undefined;
  readonly #peers = new Map<ClientSession, ControlPeer>();

  constructor(config: DashboardServerConfig) {
    this.#config = {
      host: '127.0.0.1',
      maxRateHz: 30,
      maxBufferedBytes: 1 << 20,
      log: defaultLog,
      anonymousRole: 'viewer',
      ...config,
      staticDir: config.staticDir ?? defaultStaticDir(),
    };
    if (!(this.#config.maxRateHz > 0)) throw new Error(`DashboardServer: maxRateHz must be > 0, got ${config.maxRateHz}`);
    this.#static = new StaticFiles(this.#config.staticDir);
  }

  get url(): string | undefined { return this.#url; }
  get clientCount(): number { return this.#sessions.size; }

  #ops: OpsHub | undefined;
  /** The operations side (fleet, cameras, monitoring, recorder, episodes); set before start(). */
  useOps(hub: OpsHub): void { this.#ops = hub; }
  get ops(): OpsHub | undefined { return this.#ops; }
  get teleop(): TeleopHandler | undefined { return this.#teleop; }

  async start(): Promise<{ url: string }> {
    if (this.#http) throw new Error('DashboardServer#start: already started');
    const node = this.#config.node;
    if (this.#config.control) {
      this.#teleop = new TeleopHandler(this.#config.control, {
        rateHz: this.#config.maxRateHz,
        maxBufferedBytes: this.#config.maxBufferedBytes,
        log: this.#config.log,
      });
    }
    // best_effort + volatile is the weakest request, so it matches every publisher's offer: a side tap must
    // never be the reason a topic fails to connect. The cost: a scene published once, latched, before the
    // dashboard started is not replayed, so /scene should be republished on change or periodically.
    this.#subscriptions.push(
      node.createSubscription<JointState>(MsgTypes.JointState, '/joint_states', (msg) => {
        this.#store.putJointState(msg);
        this.#notifyAll();
      }, QoS.sensorData),
      node.createSubscription<SceneState>(MsgTypes.SceneState, '/scene', (msg) => {
        this.#store.putScene(msg);
        this.#notifyAll();
      }, QoS.sensorData),
    );

    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_MESSAGE_BYTES * 4,
      handleProtocols: (protocols) => (protocols.has(ARMSTACK_WS_PROTOCOL) ? ARMSTACK_WS_PROTOCOL : false),
    });
    const http = createServer((req, res) => {
      this.#handleHttp(req, res).catch((err: unknown) => {
        this.#config.log('error', `http ${req.method} ${req.url}: ${(err as Error)?.message ?? String(err)}`);
        if (!res.headersSent) sendText(res, 500, 'internal error\n');
        else res.destroy();
      });
    });
    http.on('upgrade', (req, socket, head) => this.#handleUpgrade(req, socket, head));
    http.on('clientError', (_err, socket) => socket.destroy());
    this.#http = http;
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.#config.port, this.#config.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await this.stop();
      const where = `${this.#config.host}:${this.#config.port}`;
      throw new Error(`DashboardServer#start: cannot listen on ${where}: ${(err as Error).message}`, { cause: err });
    }
    http.on('error', (err) => this.#config.log('error', `http server: ${err.message}`));
    this.#startedAtMs = Date.now();
    const { port } = http.address() as AddressInfo;
    const host = this.#config.host.includes(':') ? `[${this.#config.host}]` : this.#config.host;
    this.#url = `http://${host}:${port}/`;
    return { url: this.#url };
  }

  /** Closes every client, the subscriptions and the listener; resolves when no handle is left. */
  async stop(): Promise<void> {
    this.#teleop?.stop();
    await this.#ops?.stop();
    for (const sub of this.#subscriptions.splice(0)) sub.destroy();
    const closing = [...this.#sessions].map((s) => this.#closeSession(s));
    await Promise.all(closing);
    this.#wss?.close();
    this.#wss = undefined;
    const http = this.#http;
    this.#http = undefined;
    this.#url = undefined;
    if (http) {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      // 'close' fires a loop turn before libuv releases the listening handle; wait it out so callers
      // (and tests counting handles) see nothing left when stop() resolves.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** Adopts an open WebSocket-like connection: says hello, then streams until it closes. */
  handleConnection(ws: WebSocketLike, identity?: ConnectionIdentity): ClientSession {
    const session = new ClientSession(this.#nextSessionId++, ws, this.#store, {
      minIntervalMs: 1000 / this.#config.maxRateHz,
      maxBufferedBytes: this.#config.maxBufferedBytes,
      onError: (err) => this.#config.log('error', `client ${session.id}: stream: ${(err as Error)?.message ?? String(err)}`),
    });
    this.#sessions.add(session);
    ws.on('message', (data, isBinary) => this.#handleMessage(session, data, isBinary));
    ws.on('close', () => {
      session.close();
      this.#sessions.delete(session);
      const peer = this.#peers.get(session);
      this.#peers.delete(session);
      if (peer) this.#teleop?.detach(peer);
      this.#ops?.detach(session);
    });
    ws.on('error', (err) => this.#config.log('warn', `client ${session.id}: socket: ${err?.message}`));
    const hello: HelloMsg = {
      op: 'hello',
      version: ARMSTACK_WS_PROTOCOL,
      robot: this.#config.robotName,
      urdfUrl: 'robot.urdf',
      jointNames: this.#store.jointNames,
      topics: [...TOPIC_NAMES],
      maxRateHz: this.#config.maxRateHz,
    };
    session.send(hello, { droppable: false });
    this.#attachPeer(session, identity ?? { user: 'anonymous', role: this.#config.anonymousRole, expiresAtMs: Number.MAX_SAFE_INTEGER });
    this.#ops?.attach(session, this.#peers.get(session)?.role ?? 'viewer', this.#peers.get(session)?.user);
    session.notify(); // the newest joint state and scene, so a fresh page is not blank until the next message
    return session;
  }

  #handleMessage(session: ClientSession, data: unknown, isBinary: boolean): void {
    try {
      if (isBinary) {
        session.send({ op: 'status', level: 'error', message: 'binary frames are not supported; send JSON text' });
        return;
      }
      const text = payloadText(data);
      if (text === undefined) {
        session.send({ op: 'status', level: 'error', message: 'message payload is not text' });
        return;
      }
      const parsed = parseClientMessage(text);
      if (!parsed.ok) {
        session.send({ op: 'status', level: 'error', message: parsed.error });
        return;
      }
      const msg = parsed.msg;
      if (isOpsMessage(msg)) {
        if (!this.#ops) session.send({ op: 'status', level: 'error', message: `${msg.op} refused: this dashboard has no operations side` });
        else {
          this.#ops.handle(session, msg).catch((err: unknown) => {
            this.#config.log('error', `client ${session.id}: ${msg.op}: ${(err as Error)?.stack ?? String(err)}`);
          });
        }
        return;
      }
      switch (msg.op) {
        case 'subscribe':
          session.setTopics(msg.topics);
          session.send({ op: 'status', level: 'info', message: `subscribed to [${msg.topics.join(', ')}]` });
          break;
        case 'ping':
          session.send(msg.id === undefined ? { op: 'pong' } : { op: 'pong', id: msg.id });
          break;
        case 'take_control': case 'release_control': case 'jog_joint': case 'jog_cartesian': case 'goto_pose':
        case 'gripper': case 'speed': case 'estop': case 'estop_reset': {
          const peer = this.#peers.get(session);
          if (!this.#teleop || !peer) {
            session.send({ op: 'status', level: 'error', message: `${msg.op} refused: this dashboard has no robot control` });
            break;
          }
          this.#teleop.handle(peer, msg);
          break;
        }
      }
    } catch (err) {
      // A bug on our side; the client still gets an answer and the server stays up.
      this.#config.log('error', `client ${session.id}: handling message: ${(err as Error)?.stack ?? String(err)}`);
      try {
        session.send({ op: 'status', level: 'error', message: 'internal error handling message' });
      } catch {
        // the socket itself is failing; its close event will clean up
      }
    }
  }

  #notifyAll(): void {
    for (const s of this.#sessions) s.notify();
  }

  async #closeSession(session: ClientSession): Promise<void> {
    session.close();
    const ws = session.ws;
    if (ws.readyState === WS_CLOSED) {
      this.#sessions.delete(session);
      return;
    }
    const closed = new Promise<void>((resolve) => {
      ws.on('close', () => resolve());
    });
    try {
      ws.close(1001, 'server stopping');
    } catch {
      // already closing
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS);
    });
    const outcome = await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') ws.terminate?.();
    this.#sessions.delete(session);
  }

  #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    const wss = this.#wss;
    if (path !== WS_PATH || !wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    let identity: ConnectionIdentity | undefined;
    const auth = this.#config.auth;
    if (auth) {
      const origin = auth.checkOrigin(req);
      if (!origin.ok) {
        this.#config.log('warn', `ws upgrade refused: ${origin.reason}`);
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const s = auth.sessionOf(req);
      if (!s) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      identity = { user: s.user, role: s.role, sessionId: s.id, expiresAtMs: s.expiresAtMs };
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.handleConnection(ws, identity));
  }

  #attachPeer(session: ClientSession, identity: ConnectionIdentity): void {
    const auth = this.#config.auth;
    const ws = session.ws;
    const peer: ControlPeer = {
      id: session.id,
      user: identity.user,
      role: identity.role,
      get bufferedAmount() { return ws.bufferedAmount; },
      send: (msg, droppable) => void session.send(msg, { droppable }),
      sendText: (text) => { if (ws.readyState === WS_OPEN) ws.send(text); },
      live: () => (identity.sessionId === undefined || !auth ? true : auth.session(identity.sessionId) !== undefined),
      close: (code, reason) => ws.close(code, reason),
    };
    this.#peers.set(session, peer);
    session.send({ op: 'identity', user: identity.user, role: identity.role, expiresAtMs: identity.expiresAtMs }, { droppable: false });
    this.#teleop?.attach(peer);
  }

  async #handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#config.auth && (await this.#config.auth.handleHttp(req, res))) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed\n');
      return;
    }
    // The raw path, not URL-normalised: normalising would hide `..` probes we want to refuse.
    const rawPath = (req.url ?? '/').split(/[?#]/)[0] || '/';
    switch (rawPath) {
      case '/api/session':
        // Without auth there is no login: say so plainly (a 404 here would be a console error on every page load).
        if (!this.#config.auth) {
          sendText(res, 200, JSON.stringify({ auth: false }) + '\n', 'application/json; charset=utf-8');
          return;
        }
        await this.#static.serve(req, res, rawPath);
        return;
      case '/healthz':
        sendText(res, 200, JSON.stringify({
          ok: true,
          robot: this.#config.robotName,
          clients: this.#sessions.size,
          uptimeS: Math.round((Date.now() - this.#startedAtMs) / 1000),
        }) + '\n', 'application/json; charset=utf-8');
        return;
      case '/robot.urdf':
        try {
          await sendFile(res, this.#config.urdfPath, 'no-cache');
        } catch {
          sendText(res, 404, `URDF not found at ${this.#config.urdfPath}\n`);
        }
        return;
      case WS_PATH:
        sendText(res, 426, 'this path takes a WebSocket upgrade\n');
        return;
      default:
        await this.#static.serve(req, res, rawPath);
    }
  }
}
