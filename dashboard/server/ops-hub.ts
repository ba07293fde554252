// The operations side of the dashboard server: fleet, monitoring, the log, cameras, the recorder and episodes.
// DashboardServer hands it every connection and every operations op; it owns one timer that fans the watched
// streams out at bounded rates. Each client carries only "what did I last send it" (a version, a log id), so a
// slow client skips to the newest data and the server's memory does not grow with it.
import { CameraStream } from './camera-stream.js';
import { FleetMonitor } from './fleet-monitor.js';
import { LogBuffer } from './log-buffer.js';
import type { EpisodeLibrary } from './episode-library.js';
import type { RecorderPort } from './recorder-port.js';
import type { MetricsSample, OpsClientMessage, OpsStream } from './ops-protocol.js';
import { OPS_CLIENT_OPS } from './ops-protocol.js';
import type { ServerMessage, StatusLevel } from './protocol.js';
import { WS_OPEN, type WebSocketLike } from './web-socket-like.js';

/** What the hub needs of a connection (ClientSession fits). */
export interface OpsPeer {
  readonly ws: WebSocketLike;
  send(msg: ServerMessage, opts?: { droppable: boolean }): boolean;
}

export type OpsRole = 'viewer' | 'operator' | 'supervisor';

export interface OpsHubConfig {
  /** The robot this dashboard serves; marked local on the fleet page. */
  localRobot?: string;
  /** Fleet snapshots per second at most (default 2). */
  fleetRateHz?: number;
  /** Metrics samples per second (default 2). */
  metricsRateHz?: number;
  /** Log flushes per second (default 4). */
  logRateHz?: number;
  maxBufferedBytes?: number;
  /** A sample of the robot's timing; undefined when there is none (no local robot). */
  metrics?: () => MetricsSample | undefined;
  recorder?: RecorderPort;
  episodes?: EpisodeLibrary;
  log?: (level: StatusLevel, message: string) => void;
}

interface OpsClient {
  peer: OpsPeer;
  role: OpsRole;
  user: string | undefined;
  streams: Set<OpsStream>;
  fleetSent: string | undefined;
  logAfter: number;
  recorderSent: string | undefined;
}

const OPS_OP_SET: ReadonlySet<string> = new Set(OPS_CLIENT_OPS);

export function isOpsMessage(msg: { op: string }): msg is OpsClientMessage {
  return OPS_OP_SET.has(msg.op);
}

export class OpsHub {
  readonly logBuffer = new LogBuffer(500);
  readonly fleet: FleetMonitor;
  readonly cameras: CameraStream;
  readonly #config: Required<Pick<OpsHubConfig, 'fleetRateHz' | 'metricsRateHz' | 'logRateHz' | 'maxBufferedBytes'>> & OpsHubConfig;
  readonly #clients = new Map<OpsPeer, OpsClient>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticks = 0;
  #fleetText: string | undefined;
  #fleetTextVersion = -1;
  #fleetTextAtMs = 0;
  #lastMetrics: MetricsSample | undefined;

  constructor(config: OpsHubConfig = {}) {
    this.#config = { fleetRateHz: 2, metricsRateHz: 2, logRateHz: 4, maxBufferedBytes: 1 << 20, ...config };
    this.fleet = new FleetMonitor({
      localRobot: config.localRobot, logBuffer: this.logBuffer,
      log: (line) => this.#config.log?.('warn', line),
    });
    this.cameras = new CameraStream({ maxBufferedBytes: this.#config.maxBufferedBytes });
  }

  get clientCount(): number { return this.#clients.size; }

  /** A new connection: it learns the cameras and the recorder's state; streams start with `watch`. */
  attach(peer: OpsPeer, role: OpsRole = 'viewer', user?: string): void {
    this.#clients.set(peer, { peer, role, user, streams: new Set(), fleetSent: undefined, logAfter: 0, recorderSent: undefined });
    peer.send({ op: 'cameras', cameras: this.cameras.cameras, ...(this.cameras.note ? { note: this.cameras.note } : {}) }, { droppable: false });
  }

  detach(peer: OpsPeer): void {
    this.#clients.delete(peer);
    this.cameras.remove(peer);
    if (this.#clients.size === 0) this.#stopTimer();
  }

  /** One validated operations op. Every op gets exactly one reply (a status, or the data asked for). */
  async handle(peer: OpsPeer, msg: OpsClientMessage): Promise<void> {
    const client = this.#clients.get(peer);
    if (!client) return;
    const reply = (level: StatusLevel, message: string): void => void peer.send({ op: 'status', level, message });
    switch (msg.op) {
      case 'watch': {
        client.streams = new Set(msg.streams);
        // Whatever is watched anew goes out on the next tick in full.
        client.fleetSent = undefined;
        client.recorderSent = undefined;
        if (msg.streams.includes('log')) client.logAfter = Math.max(0, this.logBuffer.lastId - 100);
        this.#ensureTimer();
        reply('info', `watching [${msg.streams.join(', ')}]`);
        return;
      }
      case 'camera_subscribe': {
        const { unknown } = this.cameras.subscribe(peer, peer.ws, msg.cameras);
        if (unknown.length) reply('error', `camera_subscribe.cameras: no camera named ${unknown.join(', ')} (have ${this.cameras.cameras.map((c) => c.name).join(', ') || 'none'})`);
        else reply('info', `cameras [${msg.cameras.join(', ')}]`);
        return;
      }
      case 'camera_ack':
        // No reply: acks are flow control, one per frame; answering each would double the traffic.
        this.cameras.ack(peer, msg.camera, msg.seq);
        return;
      case 'recorder_start': case 'recorder_stop': case 'recorder_discard': case 'recorder_rerecord': case 'recorder_label': {
        const recorder = this.#config.recorder;
        if (!recorder) return reply('error', `${msg.op} refused: this dashboard has no recorder`);
        if (client.role === 'viewer') return reply('error', `${msg.op} refused: viewers cannot control the recorder`);
        try {
          const text = await recorder.apply(msg, client.user);
          this.logBuffer.push({ kind: 'command', at: Date.now(), robot: this.#config.localRobot ?? '', text: `${msg.op}: ${text}`, status: 'dashboard' });
          reply('info', text);
        } catch (err) {
          reply('error', `${msg.op} failed: ${(err as Error)?.message ?? String(err)}`);
        }
        this.#sendRecorder(client, true);
        return;
      }
      case 'episodes_list':
      case 'episode_load':
      case 'episode_frame': {
        const library = this.#config.episodes;
        if (!library) return reply('error', `${msg.op} refused: this dashboard has no episode folder`);
        try {
          if (msg.op === 'episodes_list') {
            peer.send({ op: 'episodes', episodes: await library.list(), dir: library.dir }, { droppable: false });
          } else if (msg.op === 'episode_load') {
            peer.send(await library.load(msg.name), { droppable: false });
          } else {
            const frame = await library.frame(msg.name, msg.camera, msg.timeS);
            if (!frame) return reply('error', `episode_frame: ${msg.name} has no frames of camera ${msg.camera}`);
            if (peer.ws.readyState === WS_OPEN && peer.ws.bufferedAmount <= this.#config.maxBufferedBytes) peer.ws.send(frame);
          }
        } catch (err) {
          reply('error', `${msg.op} failed: ${(err as Error)?.message ?? String(err)}`);
        }
        return;
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopTimer();
    this.#clients.clear();
    await this.fleet.close();
  }

  #ensureTimer(): void {
    if (this.#timer) return;
    const hz = Math.max(this.#config.fleetRateHz, this.#config.metricsRateHz, this.#config.logRateHz);
    this.#timer = setInterval(() => this.#tickSafely(), 1000 / hz);
    this.#timer.unref?.();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  // Runs from a timer, where a throw would take the process down.
  #tickSafely(): void {
    try {
      this.#tick();
    } catch (err) {
      this.#config.log?.('error', `ops: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  #tick(): void {
    const tick = this.#ticks++;
    const hz = Math.max(this.#config.fleetRateHz, this.#config.metricsRateHz, this.#config.logRateHz);
    const due = (rate: number): boolean => tick % Math.max(1, Math.round(hz / rate)) === 0;
    const fleetDue = due(this.#config.fleetRateHz);
    const metricsDue = due(this.#config.metricsRateHz);
    const logDue = due(this.#config.logRateHz);
    let metrics: MetricsSample | undefined;
    if (metricsDue) metrics = this.#lastMetrics = this.#config.metrics?.();
    let any = false;
    for (const c of this.#clients.values()) {
      if (c.streams.size === 0) continue;
      any = true;
      const ws = c.peer.ws;
      if (ws.readyState !== WS_OPEN || ws.bufferedAmount > this.#config.maxBufferedBytes) continue;
      if (fleetDue && c.streams.has('fleet')) {
        const text = this.#fleetSnapshotText();
        if (text !== c.fleetSent) {
          c.peer.send(JSON.parse(text) as ServerMessage);
          c.fleetSent = text;
        }
      }
      if (metricsDue && metrics && c.streams.has('metrics')) c.peer.send({ op: 'metrics', sample: metrics });
      if (logDue && c.streams.has('log')) {
        const entries = this.logBuffer.after(c.logAfter);
        if (entries.length) {
          c.peer.send({ op: 'log', entries });
          c.logAfter = entries[entries.length - 1].id;
        }
      }
      if (fleetDue && c.streams.has('recorder')) this.#sendRecorder(c, false);
    }
    if (!any) this.#stopTimer();
  }

  /** The fleet message as text, rebuilt when the fleet changed or once a second (time-based alerts). */
  #fleetSnapshotText(): string {
    const now = Date.now();
    if (this.#fleetText === undefined || this.#fleetTextVersion !== this.fleet.version || now - this.#fleetTextAtMs >= 1000) {
      this.#fleetText = JSON.stringify({ op: 'fleet', robots: this.fleet.snapshot(), connected: this.fleet.connected });
      this.#fleetTextVersion = this.fleet.version;
      this.#fleetTextAtMs = now;
    }
    return this.#fleetText;
  }

  #sendRecorder(c: OpsClient, force: boolean): void {
    const recorder = this.#config.recorder;
    if (!recorder || (!force && !c.streams.has('recorder'))) return;
    const status = recorder.status();
    const text = JSON.stringify(status);
    if (!force && text === c.recorderSent) return;
    c.recorderSent = text;
    c.peer.send({ op: 'recorder_status', status });
  }

  /** The newest metrics sample sent (for tests and /healthz-like checks). */
  get lastMetrics(): MetricsSample | undefined { return this.#lastMetrics; }
}
