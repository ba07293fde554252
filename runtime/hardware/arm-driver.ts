// The one door to an arm, in the spirit of ros2_control's SystemInterface: a tiny lifecycle plus read/write.
// read/write never throw inside the loop; they report a status instead.
import type { ArmDescription } from '../robot/arm-description.js';
import type { JointState } from '../messages/index.js';

export type LifecycleState = 'unconfigured' | 'inactive' | 'active' | 'finalized';
export type DriverStatus = 'ok' | 'error';

/**
 * Position targets for every command joint (description.commandJointNames order: arm joints, then the gripper
 * opening in metres). Produced by a policy or teleop and already checked by the safety filter.
 */
export interface JointCommand {
  /** When the command was produced (clock ns), for latency accounting. */
  stampNs: bigint;
  positions: Float64Array;
}

export interface ArmDriver {
  readonly description: ArmDescription;
  readonly lifecycle: LifecycleState;
  configure(): Promise<void>;
  /** Sets the command to the measured state, so the arm never jumps on activation. */
  activate(): Promise<void>;
  deactivate(): Promise<void>;
  /** Latest measured state, never blocks. Position/velocity/effort over every non-fixed, non-mimic joint. */
  read(): JointState;
  /** Latest measured positions in command order (commandJointNames); a view that stays valid until next read. */
  readCommandPositions(): Float64Array;
  write(cmd: JointCommand): DriverStatus;
  /** Protective stop: decelerate to zero velocity within the limits and stay there until the next write. */
  hold(reason: string): void;
}
