// The robot side of dashboard control on a stack: the TeleopSource, the hand-over between it and the autonomous
// source, the e-stop (straight into the latch) and the safety snapshot the banner shows. The dashboard server
// calls this synchronously from its ws message handler; nothing here waits on the loop.
import type { ControlPipeline, CommandSource } from '../runtime/loop/control-pipeline.js';
import type { ArmDescription, Kinematics, Pose, Vec3 } from '../runtime/robot/index.js';
import type { CommandWatchdog, EStopLatch } from '../runtime/safety/index.js';
import { TeleopSource, type TeleopConfig } from '../runtime/teleop/teleop-source.js';
import type { RobotControl, SafetySnapshot } from '../dashboard/server/teleop-handler.js';
import type { CameraGeometryWire, DashboardRole, ViewGeometryMsg } from '../dashboard/server/control-protocol.js';
import type { WorkspaceBox } from '../runtime/safety/index.js';

const IDLE_AFTER_NS = 300_000_000n;

/** A camera as the 3D view needs it: a mounted camera by its link, a fixed one by its pose. */
export function cameraGeometry(p: {
  name: string; intrinsics: CameraGeometryWire['intrinsics']; poseInBase: Pose; mount?: { link: string; poseInLink: Pose };
}): CameraGeometryWire {
  const { width, height, fx, fy, cx, cy } = p.intrinsics;
  const intrinsics = { width, height, fx, fy, cx, cy };
  return p.mount
    ? { name: p.name, intrinsics, mount: structuredClone(p.mount) }
    : { name: p.name, intrinsics, poseInBase: structuredClone(p.poseInBase) };
}

export interface StackTeleopDeps {
  description: ArmDescription;
  kinematics: Kinematics;
  pipeline: ControlPipeline;
  estop: EStopLatch;
  watchdog: CommandWatchdog;
  nowNs: () => bigint;
  /** The autonomous side gets the arm back (e.g. re-plan from the measured state). */
  onHandback?: () => void;
  /** Teleop takes the arm (e.g. fail the running MQTT task). */
  onTakeover?: (user: string) => void;
  config?: Partial<TeleopConfig>;
  /** The safety filter's tool box, drawn in the 3D view. */
  workspace?: WorkspaceBox | null;
  /** Cameras drawn as frustums in the 3D view. */
  cameras?: readonly CameraGeometryWire[];
  /** The towel's particle grid, when the scene has one. */
  cloth?: () => { rows: number; cols: number; positions: ArrayLike<number> } | undefined;
}

export class StackTeleop implements RobotControl {
  readonly source: TeleopSource;
  readonly armJoints: readonly string[];
  readonly gripperJoint: string;
  readonly #deps: StackTeleopDeps;
  #previous: CommandSource | undefined;
  #driver: string | null = null;
  #outcomes = -1;
  #outcomeAtNs = 0n;

  constructor(deps: StackTeleopDeps) {
    this.#deps = deps;
    this.source = new TeleopSource(deps.description, deps.kinematics, deps.nowNs, deps.config);
    this.armJoints = deps.description.armJoints.map((j) => j.name);
    this.gripperJoint = deps.description.gripperJoint.name;
    // After an e-stop the next jog starts from the measured state, not from a target made before it.
    deps.estop.addHold(() => this.source.reset());
  }

  get speedScale(): number { return this.source.speedScale; }
  /** Who drives through teleop, or null. */
  get driver(): string | null { return this.#driver; }

  estop(source: string, reason: string): void {
    this.#deps.estop.trip(source, reason);
  }

  resetEstop(by: { operator: string; role: DashboardRole }): { ok: true } | { ok: false; refusal: string } {
    const r = this.#deps.estop.reset(by);
    return r.ok ? { ok: true } : r;
  }

  engage(user: string): void {
    const pipeline = this.#deps.pipeline;
    if (pipeline.source !== this.source) this.#previous = pipeline.source;
    this.#driver = user;
    this.#deps.onTakeover?.(user);
    this.source.reset();
    // Stop whatever the autonomous source was doing; the arm then waits for the operator's first jog.
    pipeline.holdArm(`teleop: ${user} took control`);
    pipeline.setSource(this.source);
  }

  disengage(user: string): void {
    if (this.#driver !== user) return;
    this.#driver = null;
    this.source.reset();
    const pipeline = this.#deps.pipeline;
    if (pipeline.source === this.source) {
      pipeline.holdArm(`teleop: ${user} released control`);
      this.#deps.onHandback?.();
      pipeline.setSource(this.#previous);
    }
  }

  jogJoint(velocity: readonly number[]): string | undefined {
    return this.source.jogJoint(velocity);
  }

  jogCartesian(linear: Vec3, angular: Vec3): string | undefined {
    return this.source.jogCartesian(linear, angular) ?? this.source.lastError;
  }

  gotoPose(pose: Pose): string | undefined {
    return this.source.gotoPose(pose) ?? this.source.lastError;
  }

  gripper(action: 'open' | 'close'): string | undefined {
    return this.source.gripper(action);
  }

  setSpeed(scale: number): void {
    this.source.setSpeed(scale);
  }

  safety(): SafetySnapshot {
    const { estop, watchdog, pipeline } = this.#deps;
    const trip = estop.latched ? estop.lastTrip : undefined;
    const c = pipeline.counters;
    // lastVerdict is only replaced when a command is made: no new outcome for a while means "idle". The grace
    // keeps the banner from flickering between a 30 Hz loop and a 30 Hz push.
    const outcomes = c.written + c.rejected + c.estopped;
    const now = this.#deps.nowNs();
    if (outcomes !== this.#outcomes) {
      this.#outcomes = outcomes;
      this.#outcomeAtNs = now;
    }
    const verdict = now - this.#outcomeAtNs < IDLE_AFTER_NS ? pipeline.lastVerdict : undefined;
    return {
      estop: estop.latched,
      estopSource: trip?.source ?? null,
      estopReason: trip?.reason ?? null,
      watchdogHolding: watchdog.state === 'holding',
      holdReason: watchdog.state === 'holding' ? watchdog.lastHoldReason : null,
      limits: verdict && verdict.action !== 'pass' ? verdict.rulesList() : [],
      lastAction: verdict?.action ?? 'idle',
    };
  }

  geometry(): Omit<ViewGeometryMsg, 'op'> {
    const w = this.#deps.workspace;
    return {
      workspace: w ? { min: { ...w.min }, max: { ...w.max } } : null,
      cameras: (this.#deps.cameras ?? []).map((c) => structuredClone(c)),
      toolLink: this.#deps.description.toolLink,
    };
  }

  cloth(): { rows: number; cols: number; positions: ArrayLike<number> } | undefined {
    return this.#deps.cloth?.();
  }

  commanded(): ArrayLike<number> | null {
    return this.#deps.pipeline.lastVerdict?.command.positions ?? null;
  }
}
