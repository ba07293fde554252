// The one filter every command passes before ArmDriver.write. Limits come from the ArmDescription (the URDF) and
// nothing else. Per joint it runs limitJoint (joint-limiter.ts: position, velocity, acceleration, step); then the
// Cartesian workspace; NaN, e-stop and malformed input are refused before any of it. apply() runs every tick, so
// it allocates nothing: the verdict, the event and all state are reused, numbers live in typed arrays.
import type { ArmDescription, Pose } from '../robot/arm-description.js';
import type { JointCommand } from '../hardware/arm-driver.js';
import { UserError } from '../errors.js';
import { INFEASIBLE, jointLimitTable, limitJoint, type JointLimitTable, type JointMotion } from './joint-limiter.js';
import { resolveSafetyFilterConfig, type SafetyFilterConfig, type WorkspaceBox } from './safety-config.js';
import { ruleBit, SafetyVerdict, type SafetyAction, type SafetyEvent, type SafetyEventSink, type SafetyRule } from './safety-rules.js';

/** What the filter needs from runtime/robot's Kinematics: the tool pose for the arm joints. */
export interface ToolKinematics {
  fk(q: ArrayLike<number>, out?: Pose): Pose;
}

/** What the filter needs from the e-stop latch. */
export interface EStopState {
  readonly latched: boolean;
  /** Changes on every trip, so a trip released between two ticks still re-seeds the filter. */
  readonly epoch: number;
}

export interface SafetyFilterDeps {
  kinematics?: ToolKinematics;
  estop?: EStopState;
  /** Every clamp and reject, with original and safe values. Called inside apply(): keep it cheap. */
  onEvent?: SafetyEventSink;
}

// FK writes the tool pose here every tick. Class instances, not literals: a literal {x, y, z} shares its hidden
// class with every other such literal in the process (frozen configs included), whose fields then hold doubles
// as boxes, so each write would allocate.
class ScratchVec3 { x = 0; y = 0; z = 0; }
class ScratchQuat { x = 0; y = 0; z = 0; w = 1; }

const NONE = 0;
const GRIPPER = ruleBit('gripper_limit');
const DT = 0, OUTSIDE = 1, PREV_OUTSIDE = 2;
const AXES = ['x', 'y', 'z'] as const;
const AXIS_SUBJECTS = ['tool.x', 'tool.y', 'tool.z'] as const;

export class SafetyFilter {
  readonly description: ArmDescription;
  readonly config: Readonly<SafetyFilterConfig>;
  readonly #deps: SafetyFilterDeps;
  readonly #dof: number;
  readonly #limits: JointLimitTable;
  readonly #motion: JointMotion;
  readonly #names: string[];
  readonly #prev: Float64Array;
  readonly #next: Float64Array;
  readonly #nextArm: Float64Array;
  readonly #prevArm: Float64Array;
  readonly #jointRules: Int32Array;
  readonly #verdict: SafetyVerdict;
  readonly #event: SafetyEvent;
  readonly #pose: Pose = { position: new ScratchVec3(), orientation: new ScratchQuat() };
  readonly #box: WorkspaceBox | null;
  /** The box as [minX, minY, minZ, maxX, maxY, maxZ], read per tick without touching config objects. */
  readonly #boxBounds = new Float64Array(6);
  #seeded = false;
  #hasPrev = false;
  #estopEpoch = 0;
  // [dt, outside, prevOutside]: metres the tool is outside the box, now and after the last safe command.
  readonly #num = new Float64Array(3);

  constructor(description: ArmDescription, config: Partial<SafetyFilterConfig> = {}, deps: SafetyFilterDeps = {}) {
    this.description = description;
    this.config = Object.freeze(resolveSafetyFilterConfig(config));
    this.#deps = deps;
    this.#dof = description.armJoints.length + 1;
    if (description.commandJointNames.length !== this.#dof) {
      throw new UserError(`SafetyFilter: ${description.source}: commandJointNames has ${description.commandJointNames.length} names for ${this.#dof} actuated joints`);
    }
    this.#names = description.commandJointNames.slice();
    this.#limits = jointLimitTable(description, this.config);
    this.#motion = {
      prev: new Float64Array(this.#dof), prevVel: new Float64Array(this.#dof),
      next: new Float64Array(this.#dof), nextVel: new Float64Array(this.#dof), scalars: this.#num.subarray(DT, DT + 1),
    };
    this.#prev = this.#motion.prev;
    this.#next = this.#motion.next;
    this.#nextArm = this.#next.subarray(0, this.#dof - 1);
    this.#prevArm = this.#prev.subarray(0, this.#dof - 1);
    this.#jointRules = new Int32Array(this.#dof);
    this.#verdict = new SafetyVerdict(this.#dof);
    this.#event = { rule: 'nan', action: 'pass', stampNs: 0n, jointIndex: -1, subject: '', original: NaN, safe: NaN };
    this.#box = deps.kinematics ? this.config.workspace : null;
    if (this.#box) {
      const { min, max } = this.#box;
      this.#boxBounds.set([min.x, min.y, min.z, max.x, max.y, max.z]);
    }
    this.#estopEpoch = deps.estop?.epoch ?? 0;
  }

  /** Forget the motion history: the next apply() starts from the measured state (as on activation, or after a hold). */
  reset(): void {
    this.#seeded = false;
  }

  /** Whether the filter has a motion history (false after reset, a reject or an e-stop). */
  get seeded(): boolean {
    return this.#seeded;
  }

  /**
   * Checks one command against the measured positions (commandJointNames order) over dtS, the measured period.
   * Returns the reused verdict. On reject/estopped the caller holds the arm; the filter then re-seeds from the
   * measured state on the next apply.
   */
  apply(cmd: JointCommand, measuredPositions: Float64Array, dtS: number): SafetyVerdict {
    const v = this.#verdict;
    v.rules = NONE;
    v.command.stampNs = cmd.stampNs;
    const n = this.#dof;
    const estop = this.#deps.estop;
    if (estop && (estop.latched || estop.epoch !== this.#estopEpoch)) {
      this.#estopEpoch = estop.epoch;
      if (estop.latched) return this.#refuse('estopped', 'estop', -1, measuredPositions, NaN);
      this.#seeded = false;
    }
    if (cmd.positions.length !== n || measuredPositions.length !== n || !(dtS > 0) || dtS === Infinity) {
      return this.#refuse('reject', 'malformed', -1, measuredPositions, NaN);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(cmd.positions[i]) || !Number.isFinite(measuredPositions[i])) {
        return this.#refuse('reject', 'nan', i, measuredPositions, cmd.positions[i]);
      }
    }
    if (!this.#seeded) this.#seed(measuredPositions);
    for (let i = 0; i < n; i++) {
      const q = cmd.positions[i];
      const tol = i === n - 1 ? this.config.gripperOutOfRangeTolerance : this.config.outOfRangeTolerance;
      if (q < this.#limits.lower[i] - tol || q > this.#limits.upper[i] + tol) {
        return this.#refuse('reject', 'out_of_range', i, measuredPositions, q);
      }
    }
    this.#num[DT] = Math.min(dtS, this.config.maxDtS);
    for (let i = 0; i < n; i++) {
      const fired = limitJoint(this.#limits, this.#motion, i, cmd.positions, measuredPositions);
      if (fired === INFEASIBLE) return this.#refuse('reject', i === n - 1 ? 'gripper_limit' : 'max_step', i, measuredPositions, cmd.positions[i]);
      this.#jointRules[i] = i === n - 1 && fired !== NONE ? GRIPPER : fired;
    }
    if (this.#box) {
      this.#measureOutside(this.#nextArm);
      const outsideM = this.#num[OUTSIDE];
      // Outside the box is refused, except a move that brings a tool already outside closer (e.g. powered up there).
      const prevOutsideM = this.#num[PREV_OUTSIDE];
      if (outsideM > 0 && !(prevOutsideM > 0 && outsideM < prevOutsideM)) return this.#refuseWorkspace(measuredPositions);
      this.#num[PREV_OUTSIDE] = outsideM;
    }
    this.#prev.set(this.#next);
    this.#motion.prevVel.set(this.#motion.nextVel);
    v.command.positions.set(this.#next);
    let any = NONE;
    for (let i = 0; i < n; i++) any |= this.#jointRules[i];
    v.rules = any;
    v.action = any === NONE ? 'pass' : 'clamped';
    if (any !== NONE && this.#deps.onEvent) this.#reportClamps(cmd);
    return v;
  }

  #seed(measured: Float64Array): void {
    for (let i = 0; i < this.#dof; i++) {
      // A measured state a hair outside the limits (sim tolerance) starts at the limit; a large excursion then
      // fails the step check against the measured value, which is what we want.
      this.#prev[i] = Math.min(Math.max(measured[i], this.#limits.lower[i]), this.#limits.upper[i]);
      this.#motion.prevVel[i] = 0;
    }
    if (this.#box) this.#measureOutside(this.#prevArm);
    this.#num[PREV_OUTSIDE] = this.#box ? this.#num[OUTSIDE] : 0;
    this.#seeded = true;
    this.#hasPrev = true;
  }

  /** Sets OUTSIDE: metres by which the tool is outside the box (sum over axes), 0 inside. Pose into #pose. */
  #measureOutside(armQ: Float64Array): void {
    const b = this.#boxBounds;
    const pos = this.#deps.kinematics!.fk(armQ, this.#pose).position;
    // Spelled out per axis: a keyed load (pos[axis]) of a double field allocates a box.
    const out = Math.max(0, b[0] - pos.x, pos.x - b[3]) + Math.max(0, b[1] - pos.y, pos.y - b[4]) + Math.max(0, b[2] - pos.z, pos.z - b[5]);
    this.#num[OUTSIDE] = Number.isFinite(out) ? out : Infinity;
  }

  #refuseWorkspace(measured: Float64Array): SafetyVerdict {
    const pos = this.#pose.position;
    const box = this.#box!;
    let worst = 0, worstOut = -1, edge = 0;
    for (let k = 0; k < 3; k++) {
      const axis = AXES[k];
      const below = box.min[axis] - pos[axis], above = pos[axis] - box.max[axis];
      if (below > worstOut) { worstOut = below; worst = k; edge = box.min[axis]; }
      if (above > worstOut) { worstOut = above; worst = k; edge = box.max[axis]; }
    }
    return this.#refuse('reject', 'workspace', -1, measured, pos[AXES[worst]], AXIS_SUBJECTS[worst], edge);
  }

  /** Keeps the last safe command (or the measured position before there is one) and drops the motion history. */
  #refuse(
    action: SafetyAction, rule: SafetyRule, jointIndex: number, measured: Float64Array, original: number,
    subject?: string, safe?: number,
  ): SafetyVerdict {
    const v = this.#verdict;
    const out = v.command.positions;
    if (this.#hasPrev) out.set(this.#prev);
    else for (let i = 0; i < out.length; i++) out[i] = i < measured.length ? measured[i] : NaN;
    v.action = action;
    v.rules = ruleBit(rule);
    this.#seeded = false;
    const sink = this.#deps.onEvent;
    if (sink) {
      const e = this.#event;
      e.rule = rule; e.action = action; e.stampNs = v.command.stampNs; e.jointIndex = jointIndex;
      e.subject = subject ?? (jointIndex >= 0 ? this.#names[jointIndex] : 'command');
      e.original = original;
      e.safe = safe ?? (jointIndex >= 0 ? out[jointIndex] : NaN);
      sink(e);
    }
    return v;
  }

  #reportClamps(cmd: JointCommand): void {
    const sink = this.#deps.onEvent!;
    const e = this.#event;
    e.action = 'clamped';
    e.stampNs = cmd.stampNs;
    for (let i = 0; i < this.#dof; i++) {
      const mask = this.#jointRules[i];
      if (mask === NONE) continue;
      for (let bit = 1; bit <= mask; bit <<= 1) {
        if ((mask & bit) === 0) continue;
        e.rule = RULE_BY_BIT.get(bit)!;
        e.jointIndex = i;
        e.subject = this.#names[i];
        e.original = cmd.positions[i];
        e.safe = this.#next[i];
        sink(e);
      }
    }
  }
}

const RULE_BY_BIT = new Map<number, SafetyRule>(
  (['position_limit', 'velocity_limit', 'acceleration_limit', 'max_step', 'gripper_limit'] as const).map((r) => [ruleBit(r), r]),
);
