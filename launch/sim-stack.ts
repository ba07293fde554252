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
import type { WorldClothConfig } from '../sim/cloth/world-cloth.js';
import { PickPlaceExpert } from '../policies/scripted/pick-place-expert.js';
import { DashboardServer } from '../dashboard/server/dashboard-server.js';
import { TaskExecutive } from '../policies/task-executive.js';
import { StackBridge, type SharedBroker } from './stack-bridge.js';
import { StackOps } from './stack-ops.js';
import { StackPolicy } from './stack-policy.js';
import { StackRecorder } from './stack-recorder.js';
import { StackTeleop, cameraGeometry } from './stack-teleop.js';
import { OVERHEAD_CAMERA, WRIST_CAMERA } from '../sim/render/sim-views.js';
import { createDashboardAuth, type StackDashboardAuth } from './dashboard-auth.js';
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
  /**
   * false: no MQTT bridge (--no-bridge); true: a bridge even on the fast clock. Default: as the launch description
   * says, except that fast runs (recording, evaluation) have none: sim time outruns operators and their TTLs.
   */
  bridge?: boolean;
  /** Embedded broker port (--mqtt-port); 0 picks a free one. */
  mqttPort?: number;
  /** Boxes on the table (0 for a towel-only scene); default launch.sim.boxes. */
  boxes?: number;
  /** A towel on the table (sim/cloth), SceneObject kind 'cloth'; default launch.sim.cloth. */
  cloth?: boolean | WorldClothConfig;
  log?: (line: string) => void;
  /** launch fleet-sim: the robots share one broker this process runs. */
  sharedBroker?: SharedBroker;
  /**
   * Drive the arm with this learned policy (ONNX, policies/contract.ts) from the sim's overhead camera through the
   * inference worker, instead of the scripted expert (launch/stack-policy.ts). Wall clock only.
   */
  policy?: string;
  /** With policy: the box colours to move, in order (default every box). */
  policyTargets?: string[];
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
  expert: PickPlaceExpert;
  constructor(readonly create: () => PickPlaceExpert, readonly scene: () => SceneState) {
    this.expert = create();
  }
  next(measured: Float64Array): Float64Array {
    return this.expert.step(measured, this.scene());
  }
  /** After operator commands the arm is elsewhere: plan afresh from the measured state. */
  reset(): void {
    this.expert = this.create();
  }
}

function resolvePackagePath(path: string): string {
  return isAbsolute(path) ? path : join(packageRoot(), path);
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
  /** The operator command executive; undefined when the bridge is off. */
  readonly executive: TaskExecutive | undefined;
  bridge: StackBridge | undefined;
  /** Episodes from the MQTT intents record_start/record_stop/label; undefined without the bridge. */
  recorder: StackRecorder | undefined;
  /** Dashboard teleop and e-stop, robot side. */
  readonly teleop: StackTeleop;
  /** Dashboard login; set with the dashboard in start(). */
  dashboardAuth: StackDashboardAuth | undefined;
  /** Fleet, cameras, monitoring, recorder controls and episodes on the dashboard. */
  ops: StackOps | undefined;
  /** The learned hot path, with --policy. */
  policy: StackPolicy | undefined;
  #stopReason: SimStackSummary['stopReason'] = 'stopped';
  readonly #expert: ExpertSource;
  readonly #watchdog: CommandWatchdog;
  readonly #diagnostics: SafetyDiagnostics;
  readonly #scene: Publisher<SceneState>;
  readonly #options: SimStackOverrides;
  readonly #launch: LaunchDescription;
  readonly #log: (line: string) => void;
  readonly #wallStart = process.hrtime.bigint();
  #done: Promise<void> | undefined;

  constructor(launch: LaunchDescription, options: SimStackOverrides = {}) {
    this.#launch = launch;
    this.#options = options;
    const log = (this.#log = options.log ?? ((line: string) => void process.stdout.write(line + '\n')));
    this.seed = options.seed ?? launch.sim.seed;
    const rateHz = options.rateHz ?? launch.loop.rateHz;
    const urdfPath = isAbsolute(launch.robot.urdf) ? launch.robot.urdf : join(packageRoot(), launch.robot.urdf);
    const description = loadArmDescription(urdfPath);

    this.node = this.graph.createNode('armstack');
    this.clock = options.fast ? new SimClock() : new WallClock();
    this.sim = createSimWorld({
      seed: this.seed, boxes: options.boxes ?? launch.sim.boxes, cloth: options.cloth ?? launch.sim.cloth, servoRateHz: launch.sim.servoRateHz, description,
    });
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
    const scene = (): SceneState => world.sceneState();
    this.#expert = new ExpertSource(() => new PickPlaceExpert(description, { controlRateHz: rateHz }, kinematics), scene);
    if (this.#bridgeEnabled) {
      const fallback = launch.bridge.autonomous ? this.#expert : undefined;
      const executive = new TaskExecutive(description, { controlRateHz: rateHz }, { scene, fallback, kinematics });
      // Registered after the driver's hold: the arm stops first, then the running command fails.
      this.estop.addHold((reason) => executive.abort(`e-stop: ${reason}`));
      this.executive = executive;
      this.pipeline.setSource(executive);
    } else {
      this.pipeline.setSource(this.#expert);
    }
    this.#scene = this.node.createPublisher<SceneState>(MsgTypes.SceneState, '/scene');
    this.teleop = new StackTeleop({
      description, kinematics, pipeline: this.pipeline, estop: this.estop, watchdog: this.#watchdog,
      nowNs: () => this.clock.nowNs(),
      // Teleop preempts an MQTT task; on handback the expert plans from where the operator left the arm.
      onTakeover: (user) => this.executive?.abort(`teleop: ${user} took control`),
      onHandback: () => this.#expert.reset(),
      workspace: safety.config.workspace,
      cameras: [cameraGeometry(OVERHEAD_CAMERA), cameraGeometry(WRIST_CAMERA)],
      cloth: () => {
        const particles = world.clothParticles();
        return particles && world.cloth ? { rows: world.cloth.rows, cols: world.cloth.cols, positions: particles } : undefined;
      },
    });

    this.loop = new FixedRateLoop({ rateHz }, this.clock, (tick) => this.#tick(tick));
    this.loop.onOverrun((n) => (n > 0 ? this.#watchdog.reportOverrun() : this.#watchdog.reportOnTime()));
  }

  #tick(tick: TickInfo): void | Promise<void> {
    const { world } = this.sim;
    // Physics catches up with the clock first, so the state we read is the state at this tick's start.
    if (tick.index > 0) world.step(tick.periodS);
    this.#scene.publish(world.sceneState(tick.startedNs));
    const perceiving = this.policy?.beforeTick(tick);
    if (perceiving) return perceiving.then(() => this.#control(tick));
    this.#control(tick);
  }

  /** The rest of a tick, once this tick's perception (if it waits for any) is in. */
  #control(tick: TickInfo): void {
    const { world } = this.sim;
    this.pipeline.tick(tick);
    if (this.clock.kind === 'sim') {
      this.#watchdog.check(this.clock.nowNs());
      this.#diagnostics.tick();
    }
    const duration = this.#options.durationS;
    if (duration !== undefined && world.timeS >= duration - 1e-9) this.#finish('duration');
    else if (duration === undefined && this.#options.fast && (this.policy ? this.policy.finished : this.#autonomousDone())) this.#finish('all_placed');
  }

  get #bridgeEnabled(): boolean {
    const o = this.#options;
    return o.bridge ?? (this.#launch.bridge.enabled && !o.fast);
  }

  /** The expert placed everything, and (with the bridge) no operator command runs. */
  #autonomousDone(): boolean {
    const ex = this.executive;
    if (ex && (!this.#launch.bridge.autonomous || ex.task !== null || ex.holding !== undefined)) return false;
    return this.#expert.expert.done;
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
    const policyFile = this.#options.policy ?? (launch.policy.kind === 'onnx' ? resolvePackagePath(launch.policy.file) : undefined);
    if (policyFile) {
      const targets = this.#options.policyTargets ?? (launch.policy.targets.length ? launch.policy.targets : undefined);
      this.policy = await StackPolicy.start({
        policyPath: policyFile, visionModelPath: resolvePackagePath(launch.policy.visionModel), executionProviders: launch.policy.executionProviders,
        ensembleDecay: launch.policy.ensembleDecay, refillThreshold: launch.policy.refillThreshold,
        urdfPath: this.sim.description.source, world: this.sim.world, driver,
        kinematics: this.sim.kinematics, gripperJointName: this.sim.description.gripperJoint.name,
        rateHz: this.#options.rateHz ?? launch.loop.rateHz, clock: this.clock, targets, log: this.#log,
        synchronous: this.clock.kind === 'sim',
      });
      this.pipeline.setSource(this.policy.source);
    }
    if (!this.#options.headless && launch.dashboard.enabled) {
      this.dashboard = new DashboardServer({
        node: this.graph.createNode('dashboard'),
        port: this.#options.port ?? launch.dashboard.port ?? 8080,
        host: launch.dashboard.host,
        urdfPath: this.sim.description.source,
        robotName: launch.robot.name,
        maxRateHz: launch.dashboard.stateRateHz,
        auth: (this.dashboardAuth = createDashboardAuth(launch, this.#log)).auth,
        control: this.teleop,
        log: (level, m) => { if (level !== 'info') this.#log(`[dashboard] ${level}: ${m}`); },
      });
      this.ops = new StackOps(this, {
        robot: launch.robot.name,
        cameras: { fps: launch.dashboard.cameraFps, names: launch.dashboard.cameras, detect: launch.dashboard.detections },
        episodesDir: launch.recorder.outDir,
        recorder: () => this.recorder?.recorder,
        task: launch.recorder.task,
        log: this.#log,
      });
      await this.ops.attach(this.dashboard);
      this.url = (await this.dashboard.start()).url;
    }
    if (this.executive) {
      const executive = this.executive;
      if (launch.recorder.enabled) this.recorder = new StackRecorder(launch.recorder, this, this.#log);
      const port = this.#options.mqttPort;
      this.bridge = await StackBridge.start(port === undefined ? launch.bridge : { ...launch.bridge, port }, {
        // A port given on the command line must be that port; the launch file's may move when it is taken.
        strictPort: port !== undefined,
        shared: this.#options.sharedBroker,
        robot: launch.robot.name,
        executive: this.recorder?.executive(executive) ?? executive,
        // Synchronous, inside the MQTT message handler: the latch holds the driver before this returns.
        onEstop: (_source, reason) => this.estop.trip('mqtt', reason),
        latch: this.estop,
        state: () => ({
          mode: this.estop.latched ? 'estopped' : executive.paused ? 'paused' : this.loop.running ? 'running' : 'idle',
          task: executive.task,
          safety: this.estop.latched ? { estop: true, holding: true, reason: this.estop.lastTrip?.reason ?? 'e-stop' } : { estop: false, holding: false },
          // Achieved, not nominal: the fleet page's loop column and its "loop slow" alert compare it.
          loopRateHz: Math.round(this.loop.achievedRateHz * 10) / 10,
          recording: this.recorder?.recording ?? false,
          ...(this.url ? { dashboardUrl: this.url } : {}),
        }),
        log: this.#log,
      });
    }
    if (this.ops && this.bridge) await this.ops.connectFleet(this.bridge.viewer);
    if (this.clock.kind === 'wall') {
      this.#watchdog.start();
      this.#diagnostics.start();
    }
    this.#done = this.loop.start();
  }

  /** The dashboard URL with a fresh one-time login token for the local supervisor (Jupyter-style). */
  loginUrl(): string | undefined {
    const a = this.dashboardAuth;
    if (!this.url || !a) return this.url;
    return `${this.url}?token=${a.auth.issueLoginToken(a.localSupervisor, 'supervisor')}`;
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
    await this.bridge?.close();
    await this.recorder?.close();
    await this.ops?.close();
    await this.policy?.close();
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
    if (stack.url) log(`armstack: dashboard at ${stack.loginUrl()} (one-time login for ${stack.dashboardAuth?.localSupervisor})`);
    if (stack.bridge) log(`armstack: MQTT bridge at ${stack.bridge.url} (site ${launch.bridge.site}, robot ${launch.robot.name})`);
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
