// Wires the sim stack from a launch description: graph, sim world and driver, safety, the control pipeline with
// the scripted expert, the fixed-rate loop, and the dashboard. The launcher owns the world and steps it at the
// start of every tick; everything downstream sees only the ArmDriver.
import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { InProcGraph, type GraphNode, type Publisher } from '../runtime/graph/index.js';
import { MsgTypes, type DiagnosticArray, type SceneState } from '../runtime/messages/index.js';
import { loadArmDescription } from '../runtime/robot/index.js';
import { SafetyFilter, EStopLatch, CommandWatchdog, SafetyDiagnostics, type SafetyLogger } from '../runtime/safety/index.js';
import { FixedRateLoop, SimClock, WallClock, type Clock, type LoopStats, type TickInfo } from '../runtime/loop/index.js';
import { ControlPipeline, type CommandSource } from '../runtime/loop/control-pipeline.js';
import { packageRoot } from '../runtime/package-root.js';
import { createSimWorld, type SimWorldHandle } from '../sim/sim-arm-driver.js';
import { PickPlaceExpert } from '../policies/scripted/pick-place-expert.js';
import { DashboardServer } from '../dashboard/server/dashboard-server.js';
import type { LaunchDescription } from './launch-description.js';

export interface SimStackOverrides {
  port?: number;
  headless?: boolean;
  /** Stop after this much sim time. */
  durationS?: number;
  /** Sim clock as fast as the CPU allows; without durationS, stop when every box is placed. */
  fast?: boolean;
  seed?: number;
  rateHz?: number;
  log?: (line: string) => void;
}

export interface SimStackSummary extends LoopStats {
  seed: number;
  simTimeS: number;
  wallTimeS: number;
  objectsPlaced: number;
  objectsTotal: number;
  commandsWritten: number;
  safetyClamped: number;
  safetyRejected: number;
  holds: number;
  stopReason: 'duration' | 'all_placed' | 'signal' | 'stopped';
  /** Hash of the final joint and object state: equal runs of one seed give equal digests. */
  stateDigest: string;
}

/** Adapts the privileged scripted expert (it reads the sim scene) to a CommandSource. */
class ExpertSource implements CommandSource {
  readonly name = 'scripted_expert';
  constructor(readonly expert: PickPlaceExpert, readonly scene: () => SceneState) {}
  next(measured: Float64Array): Float64Array {
    return this.expert.step(measured, this.scene());
  }
}

export class SimStack {
  readonly graph = new InProcGraph();
  readonly node: GraphNode;
  readonly sim: SimWorldHandle;
  readonly estop: EStopLatch;
  readonly pipeline: ControlPipeline;
  readonly loop: FixedRateLoop;
  readonly clock: Clock;
  readonly seed: number;
  dashboard: DashboardServer | undefined;
  url: string | undefined;
  #stopReason: SimStackSummary['stopReason'] = 'stopped';
  readonly #expert: PickPlaceExpert;
  readonly #watchdog: CommandWatchdog;
  readonly #diagnostics: SafetyDiagnostics;
  readonly #scene: Publisher<SceneState>;
  readonly #options: SimStackOverrides;
  readonly #launch: LaunchDescription;
  readonly #wallStart = process.hrtime.bigint();
  #done: Promise<void> | undefined;

  constructor(launch: LaunchDescription, options: SimStackOverrides = {}) {
    this.#launch = launch;
    this.#options = options;
    const log = options.log ?? ((line: string) => void process.stdout.write(line + '\n'));
    this.seed = options.seed ?? launch.sim.seed;
    const rateHz = options.rateHz ?? launch.loop.rateHz;
    const urdfPath = isAbsolute(launch.robot.urdf) ? launch.robot.urdf : join(packageRoot(), launch.robot.urdf);
    const description = loadArmDescription(urdfPath);

    this.node = this.graph.createNode('armstack');
    this.clock = options.fast ? new SimClock() : new WallClock();
    this.sim = createSimWorld({ seed: this.seed, boxes: launch.sim.boxes, servoRateHz: launch.sim.servoRateHz, description });
    const { driver, kinematics, world } = this.sim;

    const diagnosticsPub = this.node.createPublisher<DiagnosticArray>(MsgTypes.DiagnosticArray, '/diagnostics');
    const safetyLog: SafetyLogger = (level, msg) => {
      if (level === 'warn' || level === 'error') log(`[safety] ${level}: ${msg}`);
    };
    const clockForSafety = { nowNs: () => this.clock.nowNs() };
    this.#diagnostics = new SafetyDiagnostics({}, { publish: (m) => diagnosticsPub.publish(m), log: safetyLog, clock: clockForSafety });
    this.estop = new EStopLatch({ clock: clockForSafety, onTrip: (t) => this.#diagnostics.estopTripped(t), onRelease: (by) => this.#diagnostics.estopReleased(by) });
    this.estop.addHold((reason) => driver.hold(reason));
    this.#watchdog = new CommandWatchdog(
      { timeoutMs: launch.safety.watchdogTimeoutMs, maxConsecutiveOverruns: launch.safety.maxConsecutiveOverruns },
      {
        clock: clockForSafety,
        hold: (reason) => {
          this.pipeline.holdArm(reason);
          this.#diagnostics.holdRaised('watchdog', reason);
        },
        onRecover: () => this.#diagnostics.holdCleared('watchdog'),
      },
    );
    const safety = new SafetyFilter(description, {}, { kinematics, estop: this.estop, onEvent: this.#diagnostics.onEvent });

    this.pipeline = new ControlPipeline(this.node, driver, safety, this.#watchdog);
    this.#expert = new PickPlaceExpert(description, { controlRateHz: rateHz }, kinematics);
    this.pipeline.setSource(new ExpertSource(this.#expert, () => world.sceneState()));
    this.#scene = this.node.createPublisher<SceneState>(MsgTypes.SceneState, '/scene');

    this.loop = new FixedRateLoop({ rateHz }, this.clock, (tick) => this.#tick(tick));
    this.loop.onOverrun((n) => (n > 0 ? this.#watchdog.reportOverrun() : this.#watchdog.reportOnTime()));
  }

  #tick(tick: TickInfo): void {
    const { world } = this.sim;
    // Physics catches up with the clock first, so the state we read is the state at this tick's start.
    if (tick.index > 0) world.step(tick.periodS);
    this.#scene.publish(world.sceneState(tick.startedNs));
    this.pipeline.tick(tick);
    if (this.clock.kind === 'sim') {
      this.#watchdog.check(this.clock.nowNs());
      this.#diagnostics.tick();
    }
    const duration = this.#options.durationS;
    if (duration !== undefined && world.timeS >= duration - 1e-9) this.#finish('duration');
    else if (duration === undefined && this.#options.fast && this.#expert.done) this.#finish('all_placed');
  }

  #finish(reason: SimStackSummary['stopReason']): void {
    this.#stopReason = reason;
    void this.loop.stop();
  }

  /** Starts everything; resolves once the loop runs (and the dashboard listens). */
  async start(): Promise<void> {
    const { driver } = this.sim;
    await driver.configure();
    await driver.activate();
    const launch = this.#launch;
    if (!this.#options.headless && launch.dashboard.enabled) {
      this.dashboard = new DashboardServer({
        node: this.graph.createNode('dashboard'),
        port: this.#options.port ?? launch.dashboard.port ?? 8080,
        host: launch.dashboard.host,
        urdfPath: this.sim.description.source,
        robotName: launch.robot.name,
        maxRateHz: launch.dashboard.stateRateHz,
      });
      this.url = (await this.dashboard.start()).url;
    }
    if (this.clock.kind === 'wall') {
      this.#watchdog.start();
      this.#diagnostics.start();
    }
    this.#done = this.loop.start();
  }

  /** Resolves when the loop ends by itself (duration, all placed) or through stop(). */
  get done(): Promise<void> {
    if (!this.#done) throw new Error('SimStack#done: call start() first');
    return this.#done;
  }

  async stop(reason: SimStackSummary['stopReason'] = 'stopped'): Promise<void> {
    if (this.loop.running) this.#stopReason = reason;
    await this.loop.stop();
  }

  /** Releases every handle (timers, sockets, graph) so the process can exit by itself. */
  async close(): Promise<void> {
    await this.loop.stop();
    this.#watchdog.stop();
    this.#diagnostics.stop();
    await this.dashboard?.stop();
    await this.sim.driver.deactivate();
    await this.graph.shutdown();
  }

  summary(): SimStackSummary {
    const { world, driver } = this.sim;
    const c = this.pipeline.counters;
    return {
      ...this.loop.stats(),
      seed: this.seed,
      simTimeS: Math.round(world.timeS * 1e3) / 1e3,
      wallTimeS: Math.round(Number(process.hrtime.bigint() - this.#wallStart) / 1e6) / 1e3,
      objectsPlaced: world.objectsPlaced(),
      objectsTotal: world.objectsTotal,
      commandsWritten: c.written,
      safetyClamped: c.clamped,
      safetyRejected: c.rejected,
      holds: driver.holdCount,
      stopReason: this.#stopReason,
      stateDigest: this.#stateDigest(),
    };
  }

  #stateDigest(): string {
    const { world, driver } = this.sim;
    const hash = createHash('sha256');
    hash.update(Float64Array.from(driver.readCommandPositions()));
    for (const o of world.sceneState().objects) {
      hash.update(`${o.id}:${o.in_bin}:${o.held}`);
      hash.update(Float64Array.of(o.pose.position.x, o.pose.position.y, o.pose.position.z));
    }
    return hash.digest('hex').slice(0, 16);
  }
}

export interface RunOptions {
  /** Stop cleanly on SIGINT/SIGTERM (the CLI); tests drive stop() themselves. */
  handleSignals: boolean;
}

export async function runSimStack(launch: LaunchDescription, overrides: SimStackOverrides, run: RunOptions): Promise<SimStackSummary> {
  const log = overrides.log ?? ((line: string) => void process.stdout.write(line + '\n'));
  const stack = new SimStack(launch, overrides);
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`armstack: ${signal}, stopping`);
    void stack.stop('signal');
  };
  if (run.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    await stack.start();
    const mode = stack.clock.kind === 'sim' ? 'fast sim time' : 'real time';
    log(`armstack: ${launch.name} running (seed ${stack.seed}, ${stack.loop.stats().rateHz} Hz, ${mode})`);
    if (stack.url) log(`armstack: dashboard at ${stack.url}`);
    await stack.done;
  } finally {
    await stack.close();
    if (run.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  const summary = stack.summary();
  log(`armstack: stopped (${summary.stopReason}) after ${summary.ticks} ticks, ${summary.simTimeS} s sim time; ` +
    `${summary.objectsPlaced}/${summary.objectsTotal} boxes placed; jitter p99 ${summary.jitterP99Ms} ms, ${summary.overruns} overruns`);
  return summary;
}
