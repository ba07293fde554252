// One control tick, the same for a sim and a real arm: read the measured state, ask the command source for the
// next target, pass it through the safety filter, write it (or hold), feed the watchdog and publish.
// Nothing here knows whether the arm is simulated.
import type { ArmDriver, JointCommand } from '../hardware/arm-driver.js';
import type { GraphNode, Publisher } from '../graph/index.js';
import { QoS } from '../graph/index.js';
import { MsgTypes, timeFromNs, type JointState, type JointTrajectory } from '../messages/index.js';
import type { SafetyFilter, CommandWatchdog, SafetyVerdict } from '../safety/index.js';
import type { TickInfo } from './fixed-rate-loop.js';

/** Anything that produces position targets: a policy, a scripted expert, teleop. */
export interface CommandSource {
  readonly name: string;
  /** The next target in commandJointNames order, or null for "no new command this tick" (the watchdog counts). */
  next(measured: Float64Array, state: JointState, tick: TickInfo): Float64Array | null;
}

export interface ControlPipelineCounters {
  ticks: number;
  written: number;
  clamped: number;
  rejected: number;
  estopped: number;
  idle: number;
}

export class ControlPipeline {
  readonly counters: ControlPipelineCounters = { ticks: 0, written: 0, clamped: 0, rejected: 0, estopped: 0, idle: 0 };
  readonly #driver: ArmDriver;
  readonly #safety: SafetyFilter;
  readonly #watchdog: CommandWatchdog | undefined;
  readonly #jointStates: Publisher<JointState>;
  readonly #trajectory: Publisher<JointTrajectory>;
  readonly #command: JointCommand;
  readonly #trajectoryMsg: JointTrajectory;
  readonly #trajectoryPositions: Float64Array;
  #source: CommandSource | undefined;
  #lastRejectReason = '';

  constructor(node: GraphNode, driver: ArmDriver, safety: SafetyFilter, watchdog?: CommandWatchdog) {
    this.#driver = driver;
    this.#safety = safety;
    this.#watchdog = watchdog;
    const names = driver.description.commandJointNames;
    this.#command = { stampNs: 0n, positions: new Float64Array(names.length) };
    this.#jointStates = node.createPublisher<JointState>(MsgTypes.JointState, '/joint_states', QoS.sensorData);
    this.#trajectory = node.createPublisher<JointTrajectory>(MsgTypes.JointTrajectory, '/arm_controller/joint_trajectory');
    this.#trajectoryPositions = new Float64Array(names.length);
    this.#trajectoryMsg = {
      header: { stamp: { sec: 0, nanosec: 0 }, frame_id: driver.description.baseLink },
      joint_names: [...names],
      points: [{
        positions: this.#trajectoryPositions,
        velocities: [], accelerations: [], effort: [],
        time_from_start: { sec: 0, nanosec: 0 },
      }],
    };
  }

  /**
   * Protective stop from anywhere (watchdog, rejected command): the driver decelerates and the filter forgets
   * its last command, so motion resumes from the measured state rather than from a stale target.
   */
  holdArm(reason: string): void {
    this.#driver.hold(reason);
    this.#safety.reset();
  }

  setSource(source: CommandSource | undefined): void {
    this.#source = source;
  }

  get source(): CommandSource | undefined {
    return this.#source;
  }

  /** The verdict of the last tick (reused object). */
  lastVerdict: SafetyVerdict | undefined;

  tick(tick: TickInfo): void {
    this.counters.ticks++;
    const driver = this.#driver;
    const measured = driver.readCommandPositions();
    const state = driver.read();
    timeFromNs(tick.startedNs, state.header.stamp);
    this.#jointStates.publish(state);

    const target = this.#source?.next(measured, state, tick) ?? null;
    if (target === null) {
      this.counters.idle++;
      return;
    }
    const cmd = this.#command;
    cmd.stampNs = tick.startedNs;
    cmd.positions.set(target);
    const verdict = this.#safety.apply(cmd, measured, tick.periodS);
    this.lastVerdict = verdict;
    switch (verdict.action) {
      case 'pass':
      case 'clamped': {
        if (verdict.action === 'clamped') this.counters.clamped++;
        driver.write(verdict.command);
        this.counters.written++;
        this.#watchdog?.feed(cmd.stampNs);
        this.#publishTrajectory(verdict.command, tick);
        break;
      }
      case 'reject': {
        this.counters.rejected++;
        const reason = `safety filter rejected the command from ${this.#source?.name ?? 'unknown'}: ${verdict.rulesList().join(', ')}`;
        // Hold once per run of rejects: hold() restarts the deceleration every call.
        if (reason !== this.#lastRejectReason) this.holdArm(reason);
        this.#lastRejectReason = reason;
        return;
      }
      case 'estopped':
        this.counters.estopped++;
        return;
    }
    this.#lastRejectReason = '';
  }

  #publishTrajectory(cmd: JointCommand, tick: TickInfo): void {
    const msg = this.#trajectoryMsg;
    timeFromNs(cmd.stampNs, msg.header.stamp);
    this.#trajectoryPositions.set(cmd.positions);
    const point = msg.points[0];
    timeFromNs(BigInt(Math.round(tick.nominalPeriodS * 1e9)), point.time_from_start);
    this.#trajectory.publish(msg);
  }
}
