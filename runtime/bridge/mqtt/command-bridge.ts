// One robot's end of the MQTT command bridge: subscribes to its cmd topic, hands every message to the
// CommandProcessor synchronously (so a stop word reaches onEstop inside the MQTT message handler), publishes acks,
// retained state and presence, events, transcripts, and delivers operator audio.
//
// Presence works like Sparkplug B's NBIRTH/NDEATH: each connection attempt registers a will
// `{online:false, bdSeq:n}` and, once connected, publishes the birth `{online:true, bdSeq:n}`, both retained; n grows
// by one per attempt. A will arriving late (from a half-open old connection) carries a lower bdSeq than the current
// birth; the bridge sees it on its own presence topic and publishes its birth again.
import type { MqttClient } from 'mqtt';
import { connectBridgeClient, type BridgeClientConfigInput, type WillMessage } from './client.js';
import {
  CommandProcessor,
  systemClock,
  type BridgeClock,
  type CommandProcessorConfig,
  type EstopHandler,
  type Executive,
  type LatchControl,
} from './command-processor.js';
import { decodeAudioChunk, type AudioChunk } from './audio.js';
import { checkValue } from '../../config/validate.js';
import { PresenceSchema, StateSchema, TranscriptSchema, type Ack, type Presence, type RobotEvent, type RobotState, type Transcript } from './schemas.js';
import { parsePrefix, parseTopic, robotTopics, type PrefixTemplate, type RobotTopics, type TopicsConfig } from './topics.js';
import type { Role } from './users.js';

export interface CommandBridgeConfig {
  topics: TopicsConfig;
  commands: Partial<CommandProcessorConfig>;
  /** bdSeq of the first connection; each later attempt uses the next number. */
  initialBdSeq: number;
}

export interface CommandBridgeDeps {
  executive: Executive;
  /** Called synchronously inside the MQTT message handler for every stop request. */
  onEstop: EstopHandler;
  /** Roles of senders; normally the UserStore the broker authenticates against. */
  users: { roleOf(username: string): Role | undefined };
  latch?: LatchControl;
  clock?: BridgeClock;
  /** Operator audio chunks, already decoded; malformed chunks go to log. */
  onAudio?: (sender: string, chunk: AudioChunk) => void;
  log?: (line: string) => void;
}

export type StateInput = Omit<RobotState, 'seq' | 'at'>;

function issuesText(schema: Parameters<typeof checkValue>[0], value: unknown): string | undefined {
  const issues = checkValue(schema, value);
  return issues.length ? issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ') : undefined;
}

export class CommandBridge {
  readonly topics: RobotTopics;
  readonly #template: PrefixTemplate;
  readonly #robot: string;
  readonly #deps: CommandBridgeDeps;
  readonly #clock: BridgeClock;
  readonly #processor: CommandProcessor;
  #client: MqttClient | undefined;
  #bdSeq: number;
  #stateSeq = 0;
  #lastState: RobotState | undefined;
  #protocolVersion: 4 | 5 = 5;
  #closed = false;

  constructor(config: CommandBridgeConfig, deps: CommandBridgeDeps) {
    this.topics = robotTopics(config.topics);
    this.#template = parsePrefix(config.topics.prefix);
    this.#robot = config.topics.robot;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#bdSeq = config.initialBdSeq - 1;
    this.#processor = new CommandProcessor(config.commands, {
      roleOf: (name) => deps.users.roleOf(name),
      onEstop: deps.onEstop,
      executive: deps.executive,
      latch: deps.latch,
      clock: this.#clock,
      sendAck: (ack) => this.#publishAck(ack),
      sendEvent: (event) => void this.publishEvent(event).catch(() => undefined),
    });
  }

  /** The bdSeq of the current (or last) connection. */
  get bdSeq(): number {
    return this.#bdSeq;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Connects (resolving on the first CONNACK) and keeps reconnecting until close(). */
  async connect(clientConfig: BridgeClientConfigInput): Promise<void> {
    if (this.#client) throw new Error('CommandBridge#connect: already connected; call close() first');
    this.#protocolVersion = clientConfig.protocolVersion ?? 5;
    this.#client = await connectBridgeClient(clientConfig, {
      will: () => this.#nextWill(),
      onConnect: (client, connack) => this.#onConnect(client, connack.sessionPresent === true),
      onMessage: (topic, payload, packet) => this.#onMessage(topic, payload, packet.retain === true),
      onError: (error) => this.#deps.log?.(`CommandBridge: ${error.message}`),
    });
  }

  /** Publishes the retained state; seq and at are filled in. Rejects when the state does not match StateSchema. */
  publishState(state: StateInput): Promise<void> {
    const full: RobotState = { ...state, seq: this.#stateSeq++, at: this.#clock.wallMs() };
    const problem = issuesText(StateSchema, full);
    if (problem) return Promise.reject(new Error(`CommandBridge#publishState: ${problem}`));
    this.#lastState = full;
    return this.#publish(this.topics.state, full, { qos: 1, retain: true });
  }

  publishEvent(event: Omit<RobotEvent, 'at'>): Promise<void> {
    return this.#publish(this.topics.events, { ...event, at: this.#clock.wallMs() }, { qos: 1, retain: false });
  }

  publishTranscript(transcript: Omit<Transcript, 'at'>): Promise<void> {
    const full = { ...transcript, at: this.#clock.wallMs() };
    const problem = issuesText(TranscriptSchema, full);
    if (problem) return Promise.reject(new Error(`CommandBridge#publishTranscript: ${problem}`));
    return this.#publish(this.topics.voiceTranscript, full, { qos: 1, retain: false });
  }

  /**
   * A command recognized on the robot from `sender`'s voice audio. The broker authenticated the sender by the
   * audio topic, so it goes through the same checks as a typed command (stop words first, roles, rate limit,
   * confirmation); only its TTL is set here, short, because speech is about now.
   */
  submitVoiceCommand(sender: string, utteranceId: string, text: string, ttlMs = 5000): void {
    const payload = JSON.stringify({ id: `voice-${utteranceId}`, operator: sender, text, issuedAt: this.#clock.wallMs(), ttlMs });
    this.#processor.handle({ sender, payload: Buffer.from(payload), retained: false });
  }

  /** Publishes the death certificate for the current bdSeq, then disconnects cleanly and releases everything. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#processor.close();
    const client = this.#client;
    if (!client) return;
    if (client.connected) {
      const death: Presence = { online: false, bdSeq: this.#bdSeq, at: this.#clock.wallMs() };
      await Promise.race([
        this.#publish(this.topics.presence, death, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
    }
    await client.endAsync(!client.connected);
  }

  #nextWill(): WillMessage {
    this.#bdSeq += 1;
    const death: Presence = { online: false, bdSeq: this.#bdSeq, at: this.#clock.wallMs() };
    return { topic: this.topics.presence, payload: Buffer.from(JSON.stringify(death)), qos: 1, retain: true };
  }

  #onConnect(client: MqttClient, sessionPresent: boolean): void {
    this.#client = client;
    if (!sessionPresent) {
      // MQTT 5: no-local skips the echo of our own acks; retain-as-published keeps the retain flag on live
      // deliveries, so a command someone published retained is refused now, not only when replayed later.
      // Presence has no no-local: a late will may carry our own client id, and it must still reach us.
      const v5 = this.#protocolVersion === 5 ? { nl: true, rap: true } : {};
      client.subscribe(
        {
          [this.topics.cmdFilter]: { qos: 1, ...v5 },
          [this.topics.presence]: { qos: 1 },
          ...(this.#deps.onAudio ? { [this.topics.voiceAudioFilter]: { qos: 0 as const } } : {}),
        },
        (error, granted) => {
          if (error) this.#deps.log?.(`CommandBridge: subscribe failed: ${error.message}`);
          for (const g of granted ?? []) if (g.qos === 128) this.#deps.log?.(`CommandBridge: broker refused subscription ${g.topic}`);
        },
      );
    }
    this.#publishBirth();
    if (this.#lastState) void this.#publish(this.topics.state, this.#lastState, { qos: 1, retain: true }).catch(() => undefined);
  }

  #publishBirth(): void {
    const birth: Presence = { online: true, bdSeq: this.#bdSeq, at: this.#clock.wallMs() };
    void this.#publish(this.topics.presence, birth, { qos: 1, retain: true }).catch(() => undefined);
  }

  #onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const parsed = parseTopic(this.#template, topic);
    if (!parsed || parsed.robot !== this.#robot) return;
    switch (parsed.channel) {
      case 'cmd':
        if (parsed.sender === undefined) return;
        try {
          this.#processor.handle({ sender: parsed.sender, payload, retained });
        } catch (error) {
          // A bug in a handler must not take the connection (and every later stop word) down with it.
          this.#deps.log?.(`CommandBridge: command from ${parsed.sender} threw: ${(error as Error)?.stack ?? String(error)}`);
        }
        return;
      case 'presence':
        return this.#onPresence(payload);
      case 'voice/audio': {
        if (parsed.sender === undefined || !this.#deps.onAudio) return;
        const chunk = decodeAudioChunk(payload);
        if (typeof chunk === 'string') this.#deps.log?.(`CommandBridge: audio from ${parsed.sender}: ${chunk}`);
        else this.#deps.onAudio(parsed.sender, chunk);
        return;
      }
      default:
        return;
    }
  }

  #onPresence(payload: Buffer): void {
    let presence: unknown;
    try {
      presence = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (checkValue(PresenceSchema, presence).length) return;
    const p = presence as Presence;
    if (!p.online && p.bdSeq < this.#bdSeq && this.connected && !this.#closed) this.#publishBirth();
  }

  #publishAck(ack: Ack): void {
    void this.#publish(this.topics.ack, ack, { qos: 1, retain: false }).catch((error: Error) =>
      this.#deps.log?.(`CommandBridge: ack ${ack.id} not sent: ${error.message}`),
    );
  }

  #publish(topic: string, body: unknown, options: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const client = this.#client;
    if (!client) return Promise.reject(new Error('CommandBridge: not connected; call connect() first'));
    return new Promise((resolve, reject) => {
      client.publish(topic, JSON.stringify(body), options, (error) => (error ? reject(error) : resolve()));
    });
  }
}
