// `armstack launch fleet-sim --robots N`: N sim stacks in one process sharing one embedded broker, and one
// dashboard (robot 1's) whose fleet page lists them all. The robots' MQTT users are made for this run (role robot,
// one random password); operators and viewers come from the launch file's users file as usual.
import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../runtime/errors.js';
import { packageRoot } from '../runtime/package-root.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../runtime/bridge/mqtt/embedded-broker.js';
import { DEFAULT_TOPIC_PREFIX } from '../runtime/bridge/mqtt/topics.js';
import { UserStore, hashPassword, type User } from '../runtime/bridge/mqtt/users.js';
import type { LaunchDescription } from './launch-description.js';
import { SimStack } from './sim-stack.js';
import { DASHBOARD_MQTT_USER, type SharedBroker } from './stack-bridge.js';

export interface FleetSimOptions {
  robots: number;
  /** Dashboard port (0: a free one). */
  port?: number;
  mqttPort?: number;
  seed?: number;
  durationS?: number;
  log: (line: string) => void;
  handleSignals: boolean;
}

export const MAX_FLEET_ROBOTS = 100;

export class FleetSim {
  readonly stacks: SimStack[] = [];
  broker: EmbeddedBroker | undefined;
  readonly #launch: LaunchDescription;
  readonly #options: FleetSimOptions;

  constructor(launch: LaunchDescription, options: FleetSimOptions) {
    if (!Number.isInteger(options.robots) || options.robots < 1 || options.robots > MAX_FLEET_ROBOTS) {
      throw new UserError(`fleet-sim: --robots must be an integer from 1 to ${MAX_FLEET_ROBOTS}, got ${options.robots}`);
    }
    this.#launch = launch;
    this.#options = options;
  }

  /** The dashboard (robot 1's) and its one-time login URL. */
  get dashboardStack(): SimStack | undefined { return this.stacks[0]; }

  robotName(i: number): string {
    return i === 0 ? this.#launch.robot.name : `arm${i + 1}`;
  }

  async start(): Promise<void> {
    const launch = this.#launch;
    const o = this.#options;
    const usersPath = isAbsolute(launch.bridge.usersFile) ? launch.bridge.usersFile : join(packageRoot(), launch.bridge.usersFile);
    const people = UserStore.fromFile(usersPath).list().filter((u) => u.role !== 'robot');
    // Cheap scrypt: the passwords are random, per run, and never leave this process.
    const robotPassword = randomBytes(18).toString('base64url');
    const robotHash = await hashPassword(robotPassword, { N: 1024, r: 8, p: 1 });
    const viewerPassword = randomBytes(18).toString('base64url');
    const names = Array.from({ length: o.robots }, (_, i) => this.robotName(i));
    const users: User[] = [
      ...people.filter((u) => !names.includes(u.username) && u.username !== DASHBOARD_MQTT_USER),
      ...names.map((username) => ({ username, role: 'robot' as const, passwordHash: robotHash })),
      { username: DASHBOARD_MQTT_USER, role: 'viewer', passwordHash: await hashPassword(viewerPassword, { N: 1024, r: 8, p: 1 }) },
    ];
    const store = new UserStore(users, `${usersPath} + fleet robots`);
    this.broker = await startEmbeddedBroker({
      host: launch.bridge.host, port: o.mqttPort ?? launch.bridge.port, users: store, topicPrefix: DEFAULT_TOPIC_PREFIX,
    }).catch((err: Error) => {
      throw new UserError(`fleet-sim: the broker cannot listen on ${launch.bridge.host}:${o.mqttPort ?? launch.bridge.port} (${err.message}); use --mqtt-port 0`);
    });
    const shared: SharedBroker = {
      url: this.broker.url, users: store, robotPassword,
      viewer: { url: this.broker.url, username: DASHBOARD_MQTT_USER, password: viewerPassword, protocolVersion: 4 },
    };
    const seed = o.seed ?? launch.sim.seed;
    for (let i = 0; i < o.robots; i++) {
      const first = i === 0;
      const description: LaunchDescription = {
        ...launch,
        robot: { ...launch.robot, name: names[i] },
        dashboard: { ...launch.dashboard, enabled: first },
        recorder: { ...launch.recorder, enabled: first && launch.recorder.enabled },
      };
      const name = names[i];
      const stack = new SimStack(description, {
        port: first ? o.port : undefined, headless: !first, seed: seed + i, durationS: o.durationS, sharedBroker: shared,
        log: first ? o.log : (line) => { if (/error/i.test(line)) o.log(`[${name}] ${line}`); },
      });
      this.stacks.push(stack);
      await stack.start();
    }
  }

  /** Resolves when any robot's loop ends (duration) — then the fleet stops together. */
  get done(): Promise<void> {
    return Promise.race(this.stacks.map((s) => s.done));
  }

  async stop(): Promise<void> {
    await Promise.all(this.stacks.map((s) => s.stop()));
  }

  async close(): Promise<void> {
    // Robots first (they publish their deaths), the dashboard's robot last, then the broker.
    for (const s of [...this.stacks].reverse()) await s.close();
    await this.broker?.close();
  }
}

export async function runFleetSim(launch: LaunchDescription, options: FleetSimOptions): Promise<void> {
  const fleet = new FleetSim(launch, options);
  const onSignal = (signal: NodeJS.Signals): void => {
    options.log(`armstack: ${signal}, stopping the fleet`);
    void fleet.stop();
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    await fleet.start();
    const dash = fleet.dashboardStack;
    options.log(`armstack: fleet-sim running ${options.robots} robots (${launch.loop.rateHz} Hz each) on ${fleet.broker?.url}`);
    const url = dash?.loginUrl();
    if (url) options.log(`armstack: fleet page at ${url}#/fleet`);
    await fleet.done;
  } finally {
    await fleet.stop();
    await fleet.close();
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
