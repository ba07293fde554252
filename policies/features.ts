// The policy's environment features (`observation.environment_state`): what perception says about the task
// (where the target box is and how it is turned, where the target bin is) combined with the arm's own
// proprioception (tcp pose by forward kinematics of the measured joints, gripper effort). Nothing here is
// privileged sim state: a real cell has the same inputs.
//
// Why the tcp-relative features: the grasp needs the fingers within about a centimetre of the box along the
// finger axis. An MLP that must rediscover "box minus tcp" from two normalized absolute positions loses that
// precision; handing it the difference (normalized on its own, much smaller spread) keeps it.
// Why bearing and range (polar, about the base axis): the shoulder pan turns the tcp's bearing and the shoulder and
// elbow set its range, so errors in those coordinates map almost one to one onto single joints.
// Why the gripper effort: the policy has no memory, and "the fingers closed on something" is the one fact that
// separates "closing" from "holding, lift now". Grippers report it (motor current, object-detection bit).
import { Kinematics } from '../runtime/robot/index.js';
import type { ArmDescription, Pose, Vec3 } from '../runtime/robot/index.js';
import type { JointState } from '../runtime/messages/index.js';

/** What perception and the task goal provide each tick, in the arm's base frame. */
export interface TaskObservation {
  /** False until the target has been seen at least once. */
  valid: boolean;
  objectXM: number;
  objectYM: number;
  /** The box's yaw; a cube repeats every quarter turn, so only yaw mod 90° matters. */
  objectYawRad: number;
  /** Centre of the target bin (cell layout + goal). */
  binXM: number;
  binYM: number;
}

export function emptyTaskObservation(): TaskObservation {
  return { valid: false, objectXM: 0, objectYM: 0, objectYawRad: 0, binXM: 0, binYM: 0 };
}

/** Fills a TaskObservation each tick (perception + goal). The policy never learns where it comes from. */
export interface TaskObservationSource {
  readonly name: string;
  /** Refreshes out in place; returns out.valid. measured is in commandJointNames order. */
  read(measured: Float64Array, state: JointState, out: TaskObservation): boolean;
  /**
   * Frames judged so far, for sources that perceive asynchronously: "not seen" means something only once a
   * frame has been judged. Undefined for sources that answer at once.
   */
  readonly framesJudged?: number;
}

/** Every environment feature the builder knows, in the order a new policy lists them. */
export const ENV_FEATURE_NAMES = [
  'object_x', 'object_y', 'object_cos4yaw', 'object_sin4yaw',
  'bin_x', 'bin_y',
  'tcp_x', 'tcp_y', 'tcp_z', 'tcp_cos4yaw', 'tcp_sin4yaw',
  'object_dx', 'object_dy', 'yaw_error_cos4', 'yaw_error_sin4',
  'bin_dx', 'bin_dy',
  'gripper_effort',
  'tcp_bearing', 'tcp_range', 'object_bearing_error', 'object_range_error', 'bin_bearing_error', 'bin_range_error',
] as const;

export type EnvFeatureName = (typeof ENV_FEATURE_NAMES)[number];

export function isEnvFeatureName(name: string): name is EnvFeatureName {
  return (ENV_FEATURE_NAMES as readonly string[]).includes(name);
}

/** Per-tick scratch the feature functions read from; filled once per build(). */
interface Scratch {
  task: TaskObservation;
  tcp: Pose;
  toolYawRad: number;
  /** Gripper effort as a fraction of its effort limit. */
  gripperEffort: number;
}

const FEATURES: Readonly<Record<EnvFeatureName, (s: Scratch) => number>> = {
  object_x: (s) => s.task.objectXM,
  object_y: (s) => s.task.objectYM,
  object_cos4yaw: (s) => Math.cos(4 * s.task.objectYawRad),
  object_sin4yaw: (s) => Math.sin(4 * s.task.objectYawRad),
  bin_x: (s) => s.task.binXM,
  bin_y: (s) => s.task.binYM,
  tcp_x: (s) => s.tcp.position.x,
  tcp_y: (s) => s.tcp.position.y,
  tcp_z: (s) => s.tcp.position.z,
  tcp_cos4yaw: (s) => Math.cos(4 * s.toolYawRad),
  tcp_sin4yaw: (s) => Math.sin(4 * s.toolYawRad),
  object_dx: (s) => s.task.objectXM - s.tcp.position.x,
  object_dy: (s) => s.task.objectYM - s.tcp.position.y,
  yaw_error_cos4: (s) => Math.cos(4 * (s.task.objectYawRad - s.toolYawRad)),
  yaw_error_sin4: (s) => Math.sin(4 * (s.task.objectYawRad - s.toolYawRad)),
  bin_dx: (s) => s.task.binXM - s.tcp.position.x,
  bin_dy: (s) => s.task.binYM - s.tcp.position.y,
  gripper_effort: (s) => s.gripperEffort,
  tcp_bearing: (s) => Math.atan2(s.tcp.position.y, s.tcp.position.x),
  tcp_range: (s) => Math.hypot(s.tcp.position.x, s.tcp.position.y),
  object_bearing_error: (s) => wrapPi(Math.atan2(s.task.objectYM, s.task.objectXM) - Math.atan2(s.tcp.position.y, s.tcp.position.x)),
  object_range_error: (s) => Math.hypot(s.task.objectXM, s.task.objectYM) - Math.hypot(s.tcp.position.x, s.tcp.position.y),
  bin_bearing_error: (s) => wrapPi(Math.atan2(s.task.binYM, s.task.binXM) - Math.atan2(s.tcp.position.y, s.tcp.position.x)),
  bin_range_error: (s) => Math.hypot(s.task.binXM, s.task.binYM) - Math.hypot(s.tcp.position.x, s.tcp.position.y),
};

function wrapPi(a: number): number {
  return a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
}

/**
 * Builds the environment feature vector named by a policy's `env_feature_names`, allocation-free per tick.
 * Unknown names are refused up front (the contract check calls validateEnvFeatureNames).
 */
export class EnvFeatureBuilder {
  readonly names: readonly EnvFeatureName[];
  readonly #fns: ((s: Scratch) => number)[];
  readonly #kin: Kinematics;
  readonly #s: Scratch;
  readonly #xAxis: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #gripperName: string;
  readonly #gripperEffortLimitN: number;
  #gripperIndex = -1;
  #stateNames: readonly string[] | undefined;

  constructor(names: readonly string[], description: ArmDescription, kinematics?: Kinematics) {
    const bad = validateEnvFeatureNames(names);
    if (bad) throw new Error(`EnvFeatureBuilder#constructor: ${bad}`);
    this.names = names as EnvFeatureName[];
    this.#fns = this.names.map((n) => FEATURES[n]);
    this.#kin = kinematics ?? new Kinematics(description);
    this.#s = {
      task: emptyTaskObservation(),
      tcp: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
      toolYawRad: 0,
      gripperEffort: 0,
    };
    this.#gripperName = description.gripperJoint.name;
    const l = description.gripperJoint.limits;
    this.#gripperEffortLimitN = l.hasEffortLimits && l.maxEffort > 0 ? l.maxEffort : 1;
  }

  get size(): number {
    return this.names.length;
  }

  /**
   * Writes the features into out[offset..offset+size). measured: command-joint positions; gripperEffortN: the
   * gripper joint's measured effort (see gripperEffortOf).
   */
  build(task: TaskObservation, measured: ArrayLike<number>, gripperEffortN: number, out: Float32Array | Float64Array, offset = 0): void {
    const s = this.#s;
    s.task = task;
    const tcp = this.#kin.fk(measured, s.tcp);
    // Tool x axis (R·x̂) gives the tool's yaw about base z for a top-down tool.
    const q = tcp.orientation;
    this.#xAxis.x = 1 - 2 * (q.y * q.y + q.z * q.z);
    this.#xAxis.y = 2 * (q.x * q.y + q.w * q.z);
    s.toolYawRad = Math.atan2(this.#xAxis.y, this.#xAxis.x);
    s.gripperEffort = gripperEffortN / this.#gripperEffortLimitN;
    for (let i = 0; i < this.#fns.length; i++) out[offset + i] = this.#fns[i](s);
  }

  /** The gripper joint's effort from a JointState (looked up by name once per name layout). */
  gripperEffortOf(state: JointState): number {
    if (this.#stateNames !== state.name) {
      this.#stateNames = state.name;
      this.#gripperIndex = state.name.indexOf(this.#gripperName);
    }
    return this.#gripperIndex >= 0 ? Number(state.effort[this.#gripperIndex] ?? 0) : 0;
  }
}

/** Undefined when every name is known; otherwise the mismatch, worded for an error message. */
export function validateEnvFeatureNames(names: readonly string[]): string | undefined {
  const unknown = names.filter((n) => !isEnvFeatureName(n));
  if (unknown.length) return `unknown environment features ${JSON.stringify(unknown)}; known: ${ENV_FEATURE_NAMES.join(', ')}`;
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) return `environment features listed twice: ${JSON.stringify(dup)}`;
  return undefined;
}
