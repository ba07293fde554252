// The stack's end of the MQTT command bridge: the embedded broker (or an external one), the CommandBridge with the
// task executive and the e-stop latch, and the retained state published at a steady rate. Started after the loop
// is wired and before it runs; closed bridge first (it publishes its death), then the broker.
import { VoiceListener } from './voice-listener.js';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../runtime/errors.js';
import { packageRoot } from '../runtime/package-root.js';
import { CommandBridge, type StateInput } from '../runtime/bridge/mqtt/command-bridge.js';
import type { EstopHandler, Executive, LatchControl } from '../runtime/bridge/mqtt/command-processor.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../runtime/bridge/mqtt/embedded-broker.js';
import { DEFAULT_TOPIC_PREFIX } from '../runtime/bridge/mqtt/topics.js';
import { UserStore, hashPassword } from '../runtime/bridge/mqtt/users.js';
import type { LaunchDescription } from './launch-description.js';

export type BridgeSettings = LaunchDescription['bridge'];

export interface StackBridgeDeps {
  robot: string;
  executive: Executive;
  onEstop: EstopHandler;
  latch: LatchControl;
  /** The state to publish now (seq and at are added). */
  state: () => StateInput;
  log: (line: string) => void;
  /** Fail when settings.port is taken; otherwise warn and take a free port. */
  strictPort?: boolean;
  /** A broker this process already runs for several robots (launch fleet-sim); settings' broker fields are ignored. */
  shared?: SharedBroker;
}

export interface SharedBroker {
  url: string;
  /** Users the bridge checks command senders against (the broker's). */
  users: UserStore;
  /** Every robot of the shared broker authenticates with this run's password. */
  robotPassword: string;
  viewer: ViewerCredentials;
}

/** Whether host:port can be bound now. */
function portFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** The robot's password: ARMSTACK_ROBOT_PASSWORD, or (embedded broker only) a random one for this run. */
function robotPassword(embedded: boolean): string | undefined {
  const env = process.env.ARMSTACK_ROBOT_PASSWORD;
  if (env) return env;
  return embedded ? randomBytes(18).toString('base64url') : undefined;
}

/** The read-only MQTT user the dashboard's fleet page connects as. */
export const DASHBOARD_MQTT_USER = 'armstack-dashboard';

export interface ViewerCredentials {
  url: string;
  username: string;
  password: string;
  protocolVersion: 4 | 5;
}

export class StackBridge {
  broker: EmbeddedBroker | undefined;
  bridge: CommandBridge | undefined;
  url = '';
  /**
   * Embedded broker: a viewer user with a random password for this run only. External broker:
   * ARMSTACK_DASHBOARD_MQTT_USER / ARMSTACK_DASHBOARD_MQTT_PASSWORD, or none.
   */
  viewer: ViewerCredentials | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;

  /** Starts the broker (when embedded), then connects the bridge; cleans up after itself if either fails. */
  static async start(settings: BridgeSettings, deps: StackBridgeDeps): Promise<StackBridge> {
    const sb = new StackBridge();
    try {
      await sb.#start(settings, deps);
    } catch (error) {
      await sb.close();
      throw error;
    }
    return sb;
  }

  async #start(s: BridgeSettings, deps: StackBridgeDeps): Promise<void> {
    if (deps.shared) {
      this.url = deps.shared.url;
      this.viewer = deps.shared.viewer;
      return this.#connect(s, deps, deps.shared.users, deps.shared.robotPassword, 4);
    }
    const usersPath = isAbsolute(s.usersFile) ? s.usersFile : join(packageRoot(), s.usersFile);
    let users: UserStore;
    try {
      users = UserStore.fromFile(usersPath);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot read bridge.usersFile ${usersPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (users.roleOf(deps.robot) !== 'robot') throw new UserError(`${usersPath}: no user "${deps.robot}" with role robot (the robot's own user)`);
    const password = robotPassword(s.embedded);
    if (!password) throw new UserError('bridge: set ARMSTACK_ROBOT_PASSWORD for the robot\'s user on an external broker');
    if (s.embedded) {
      // The broker authenticates the robot with this run's password; everyone else as in the users file.
      // A cheap scrypt cost: the password is random and never leaves this process.
      const robotHash = await hashPassword(password, { N: 1024, r: 8, p: 1 });
      const list = users.list().map((u) => (u.username === deps.robot && !process.env.ARMSTACK_ROBOT_PASSWORD ? { ...u, passwordHash: robotHash } : u));
      const viewerPassword = randomBytes(18).toString('base64url');
      if (!list.some((u) => u.username === DASHBOARD_MQTT_USER)) {
        list.push({ username: DASHBOARD_MQTT_USER, role: 'viewer', passwordHash: await hashPassword(viewerPassword, { N: 1024, r: 8, p: 1 }) });
      }
      const brokerUsers = new UserStore(list, usersPath);
      // Probed first because startEmbeddedBroker leaves its aedes (and aedes's timers) running when listen fails,
      // which would keep the process alive after the error.
      let port = s.port;
      if (!(await portFree(s.host, port))) {
        if (deps.strictPort) throw new UserError(`bridge: cannot listen on ${s.host}:${port} (in use); use --mqtt-port 0, another port, or --no-bridge`);
        deps.log(`armstack: warning: MQTT port ${port} on ${s.host} is in use; the embedded broker takes a free port instead`);
        port = 0;
      }
      this.broker = await startEmbeddedBroker({ host: s.host, port, users: brokerUsers, topicPrefix: DEFAULT_TOPIC_PREFIX });
      this.url = this.broker.url;
      this.viewer = { url: this.url, username: DASHBOARD_MQTT_USER, password: viewerPassword, protocolVersion: 4 };
    } else {
      if (!s.url) throw new UserError('bridge.url is required when bridge.embedded is false');
      this.url = s.url;
      const user = process.env.ARMSTACK_DASHBOARD_MQTT_USER;
      const pass = process.env.ARMSTACK_DASHBOARD_MQTT_PASSWORD;
      if (user && pass) this.viewer = { url: s.url, username: user, password: pass, protocolVersion: 5 };
    }
    // aedes speaks MQTT 3.1.1 only.
    await this.#connect(s, deps, users, password, s.embedded ? 4 : 5);
  }

  async #connect(s: BridgeSettings, deps: StackBridgeDeps, users: UserStore, password: string, protocolVersion: 4 | 5): Promise<void> {
    this.bridge = new CommandBridge(
      { topics: { prefix: DEFAULT_TOPIC_PREFIX, site: s.site, robot: deps.robot }, commands: {}, initialBdSeq: 0 },
      // mqtt.js reports a "write after end" while the bridge disconnects: noise once closing has begun.
      {
        executive: deps.executive, onEstop: deps.onEstop, users, latch: deps.latch,
        onAudio: this.#voice(deps).onAudio,
        log: (line) => void (this.#closing || deps.log(line)),
      },
    );
    await this.bridge.connect({
      url: this.url,
      clientId: `armstack-${deps.robot}`,
      username: deps.robot,
      password,
      protocolVersion,
    });
    const publish = (): void => {
      void this.bridge?.publishState(deps.state()).catch((error: Error) => deps.log(`bridge: state not published: ${error.message}`));
    };
    publish();
    this.#timer = setInterval(publish, 1000 / s.stateRateHz);
  }

  #voiceListener: VoiceListener | undefined;

  #voice(deps: StackBridgeDeps): VoiceListener {
    this.#voiceListener ??= new VoiceListener(() => this.bridge, (line) => void (this.#closing || deps.log(line)));
    return this.#voiceListener;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#voiceListener?.close();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.bridge?.close();
    await this.broker?.close();
  }
}
