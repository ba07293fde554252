// Every robot seen on the MQTT broker, as the fleet page shows it. The dashboard connects with a read-only (viewer)
// user and subscribes to the robots' state, presence, events, commands and transcripts. Messages only update a
// map; snapshots are built when a client asks (at the hub's fleet rate), so 20 robots publishing at a few Hz
// cost a JSON.parse each and nothing per client. Everything is validated against the bridge's own schemas, and
// a malformed message is counted and dropped.
import { connect, type MqttClient } from 'mqtt';
import { checkValue } from '../../runtime/config/validate.js';
import {
  AckSchema, CommandSchema, EventSchema, PresenceSchema, StateSchema, TranscriptSchema,
  type Ack, type Command, type Presence, type RobotEvent, type RobotState, type Transcript,
} from '../../runtime/bridge/mqtt/schemas.js';
import { DEFAULT_TOPIC_PREFIX, parsePrefix, parseTopic, type PrefixTemplate } from '../../runtime/bridge/mqtt/topics.js';
import { LogBuffer } from './log-buffer.js';
import type { FleetRobotWire, LogEntryWire } from './ops-protocol.js';

export interface FleetMonitorConfig {
  prefix?: string;
  /** The robot this dashboard serves itself (its 3D view); the others link to their own dashboards. */
  localRobot?: string;
  /** A robot whose newest state is older than this gets the alert "state stale" (default 5000). */
  staleAfterMs?: number;
  /** A loop below this fraction of the robot's usual rate is "loop slow" (compared with its best seen rate). */
  slowLoopFraction?: number;
  /** More robots than this are ignored (memory bound against a misbehaving publisher). */
  maxRobots?: number;
  /** Where log entries go; shared with the rest of the dashboard's log. */
  logBuffer?: LogBuffer;
  nowMs?: () => number;
  log?: (line: string) => void;
}

export interface FleetConnectOptions {
  url: string;
  username: string;
  password: string;
  /** 4 for the embedded aedes broker. */
  protocolVersion?: 4 | 5;
}

interface RobotEntry {
  site: string;
  robot: string;
  presence: Presence | undefined;
  state: RobotState | undefined;
  stateAtMs: number | undefined;
  bestRateHz: number;
}

function valid<T>(schema: Parameters<typeof checkValue>[0], value: unknown): value is T {
  return checkValue(schema, value).length === 0;
}

export class FleetMonitor {
  readonly log: LogBuffer;
  /** Messages that failed to parse or validate. */
  malformed = 0;
  readonly #template: PrefixTemplate;
  readonly #config: Required<Omit<FleetMonitorConfig, 'localRobot' | 'prefix' | 'logBuffer'>> & { localRobot?: string };
  readonly #robots = new Map<string, RobotEntry>();
  readonly #listeners = new Set<(entry: LogEntryWire) => void>();
  #client: MqttClient | undefined;
  #version = 0;

  constructor(config: FleetMonitorConfig = {}) {
    this.#template = parsePrefix(config.prefix ?? DEFAULT_TOPIC_PREFIX);
    const { logBuffer, prefix: _prefix, ...rest } = config;
    this.log = logBuffer ?? new LogBuffer(500);
    this.#config = { staleAfterMs: 5000, slowLoopFraction: 0.8, maxRobots: 1000, nowMs: Date.now, log: () => undefined, ...rest };
  }

  /** Bumped whenever a message changed the fleet (time-based alerts are computed at snapshot time). */
  get version(): number { return this.#version; }
  get connected(): boolean { return this.#client?.connected ?? false; }
  get robotCount(): number { return this.#robots.size; }

  onLog(listener: (entry: LogEntryWire) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects and subscribes; resolves on the first CONNACK, then reconnects by itself until close(). */
  async connect(options: FleetConnectOptions): Promise<void> {
    if (this.#client) throw new Error('FleetMonitor#connect: already connected');
    const client = connect(options.url, {
      username: options.username,
      password: options.password,
      protocolVersion: options.protocolVersion ?? 4,
      clientId: `armstack-dashboard-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      // The retained state and presence arrive again on every (re)subscribe, so nothing is lost by not queueing.
      queueQoSZero: false,
    });
    this.#client = client;
    client.on('message', (topic, payload) => this.handleMessage(topic, payload));
    const root = this.#template.levels.map((l) => (l.startsWith('{') ? '+' : l)).join('/');
    const filters = ['state', 'presence', 'events', 'cmd/+', 'voice/transcript'].map((c) => `${root}/${c}`);
    client.on('connect', () => {
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) this.#config.log(`fleet: subscribe failed: ${err.message}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('no CONNACK within 5 s')), 5000);
      const ok = (): void => { clearTimeout(timer); client.off('error', fail); resolve(); };
      function fail(err: Error): void {
        clearTimeout(timer);
        client.off('connect', ok);
        client.end(true);
        reject(new Error(`FleetMonitor#connect: ${options.username}@${options.url}: ${err.message}`));
      }
      client.once('connect', ok);
      client.once('error', fail);
    });
    client.on('error', (err) => this.#config.log(`fleet: ${err.message}`));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
  }

  /** One MQTT message; public so tests can feed it without a broker. Never throws. */
  handleMessage(topic: string, payload: Buffer | Uint8Array): void {
    const parsed = parseTopic(this.#template, topic);
    if (!parsed) return;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      // Retained empty payloads clear a topic; anything else that is not JSON is a broken publisher.
      if (payload.length > 0) this.malformed++;
      return;
    }
    const site = parsed.site ?? '';
    const robot = parsed.robot;
    const now = this.#config.nowMs();
    switch (parsed.channel) {
      case 'state': {
        if (!valid<RobotState>(StateSchema, value)) return void this.malformed++;
        const entry = this.#entry(site, robot);
        if (!entry) return;
        const before = entry.state;
        entry.state = value;
        entry.stateAtMs = now;
        entry.bestRateHz = Math.max(entry.bestRateHz, value.loopRateHz);
        if (before?.safety.estop !== value.safety.estop || before?.safety.holding !== value.safety.holding) {
          if (before || value.safety.estop || value.safety.holding) {
            const text = value.safety.estop ? `e-stop: ${value.safety.reason ?? ''}` : value.safety.holding ? `holding: ${value.safety.reason ?? ''}` : 'safety clear';
            this.#push({ kind: 'safety', at: value.at, robot, text: text.trim() });
          }
        }
        this.#version++;
        return;
      }
      case 'presence': {
        if (!valid<Presence>(PresenceSchema, value)) return void this.malformed++;
        const entry = this.#entry(site, robot);
        if (!entry) return;
        // A death from an older session (lower bdSeq) than the newest birth is stale: the robot is back.
        if (entry.presence && !value.online && value.bdSeq < entry.presence.bdSeq && entry.presence.online) return;
        const changed = entry.presence?.online !== value.online;
        entry.presence = value;
        if (changed) this.#push({ kind: 'event', at: value.at, robot, text: value.online ? 'online' : 'offline', status: 'presence' });
        this.#version++;
        return;
      }
      case 'events': {
        if (!valid<RobotEvent>(EventSchema, value)) return void this.malformed++;
        const kind = /estop|safety|hold|limit|watchdog/.test(value.type) ? 'safety' : 'event';
        this.#push({
          kind, at: value.at, robot, text: value.message ? `${value.type}: ${value.message}` : value.type,
          status: value.type, operator: value.operator, ref: value.id ?? undefined,
        });
        return;
      }
      case 'cmd': {
        if (parsed.sender === undefined) {
          return;
        }
        if (!valid<Command>(CommandSchema, value)) return void this.malformed++;
        this.#push({
          kind: 'command', at: value.issuedAt, robot, operator: parsed.sender, ref: value.id,
          text: value.text ?? JSON.stringify(value.intent), intent: value.intent ? JSON.stringify(value.intent) : undefined,
        });
        return;
      }
      case 'cmd/ack': {
        if (!valid<Ack>(AckSchema, value)) return void this.malformed++;
        this.#push({
          kind: 'ack', at: value.at, robot, status: value.status, operator: value.operator, ref: value.id ?? undefined,
          text: value.reason ? `${value.status}: ${value.reason}` : value.status,
          intent: value.intent ? JSON.stringify(value.intent) : undefined,
        });
        return;
      }
      case 'voice/transcript': {
        if (!valid<Transcript>(TranscriptSchema, value)) return void this.malformed++;
        if (!value.final) return;
        this.#push({
          kind: 'voice', at: value.at, robot, operator: value.operator, text: value.text, ref: `voice-${value.utteranceId}`,
          intent: value.intent ? JSON.stringify(value.intent) : undefined,
          status: value.confidence === undefined ? undefined : `confidence ${value.confidence.toFixed(2)}`,
        });
        return;
      }
      default:
        return;
    }
  }

  /** The fleet as the page shows it, sorted by site then robot. */
  snapshot(): FleetRobotWire[] {
    const now = this.#config.nowMs();
    const out: FleetRobotWire[] = [];
    for (const e of this.#robots.values()) {
      const s = e.state;
      const online = e.presence?.online ?? s !== undefined;
      const alerts: string[] = [];
      if (!online) alerts.push('offline');
      if (s) {
        if (s.safety.estop) alerts.push('e-stop');
        else if (s.safety.holding) alerts.push(`holding${s.safety.reason ? `: ${s.safety.reason}` : ''}`);
        if (online && e.stateAtMs !== undefined && now - e.stateAtMs > this.#config.staleAfterMs) alerts.push('state stale');
        if (online && s.mode === 'running' && e.bestRateHz > 0 && s.loopRateHz < e.bestRateHz * this.#config.slowLoopFraction) alerts.push('loop slow');
        for (const a of s.alerts ?? []) alerts.push(a);
      } else if (online) {
        alerts.push('no state yet');
      }
      const row: FleetRobotWire = {
        site: e.site, robot: e.robot, online,
        mode: s?.mode ?? null, task: s?.task ?? null,
        estop: s?.safety.estop ?? false, holding: s?.safety.holding ?? false, safetyReason: s?.safety.reason ?? null,
        loopRateHz: s ? s.loopRateHz : null, recording: s?.recording ?? false,
        alerts, lastStateAt: s?.at ?? null, local: e.robot === this.#config.localRobot,
      };
      if (s?.dashboardUrl && !row.local) row.dashboardUrl = s.dashboardUrl;
      out.push(row);
    }
    return out.sort((a, b) => a.site.localeCompare(b.site) || a.robot.localeCompare(b.robot, undefined, { numeric: true }));
  }

  #entry(site: string, robot: string): RobotEntry | undefined {
    const key = `${site}/${robot}`;
    let entry = this.#robots.get(key);
    if (!entry) {
      if (this.#robots.size >= this.#config.maxRobots) return undefined;
      entry = { site, robot, presence: undefined, state: undefined, stateAtMs: undefined, bestRateHz: 0 };
      this.#robots.set(key, entry);
    }
    return entry;
  }

  #push(entry: Omit<LogEntryWire, 'id'>): void {
    // Optional fields set to undefined would still show up as keys; drop them so the wire stays tidy.
    for (const k of Object.keys(entry) as (keyof typeof entry)[]) if (entry[k] === undefined) delete entry[k];
    const full = this.log.push(entry);
    for (const l of this.#listeners) l(full);
  }
}
