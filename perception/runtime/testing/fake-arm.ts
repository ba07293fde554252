// An in-memory ArmDriver for perception tests: it moves instantly to each written command and records every
// write and hold with the monotonic time it happened (imported by *.test.ts only).
import type { ArmDriver, DriverStatus, JointCommand, LifecycleState } from '../../../runtime/hardware/arm-driver.js';
import type { JointState } from '../../../runtime/messages/index.js';
import type { ArmDescription } from '../../../runtime/robot/index.js';

export class FakeArmDriver implements ArmDriver {
  readonly description: ArmDescription;
  lifecycle: LifecycleState = 'unconfigured';
  readonly writes: { atNs: bigint; stampNs: bigint }[] = [];
  readonly holds: { atNs: bigint; reason: string }[] = [];
  readonly #positions: Float64Array;
  readonly #state: JointState;

  constructor(description: ArmDescription, start: ArrayLike<number>) {
    this.description = description;
    this.#positions = Float64Array.from(start);
    const names = description.commandJointNames;
    this.#state = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, name: [...names], position: this.#positions, velocity: new Float64Array(names.length), effort: new Float64Array(names.length) };
  }

  async configure(): Promise<void> { this.lifecycle = 'inactive'; }
  async activate(): Promise<void> { this.lifecycle = 'active'; }
  async deactivate(): Promise<void> { this.lifecycle = 'inactive'; }

  read(): JointState {
    return this.#state;
  }

  readCommandPositions(): Float64Array {
    return this.#positions;
  }

  write(cmd: JointCommand): DriverStatus {
    this.#positions.set(cmd.positions);
    this.writes.push({ atNs: process.hrtime.bigint(), stampNs: cmd.stampNs });
    return 'ok';
  }

  hold(reason: string): void {
    this.holds.push({ atNs: process.hrtime.bigint(), reason });
  }
}
