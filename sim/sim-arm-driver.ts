// The sim's ArmDriver: the same door as a real arm, over a World. Writes arrive at the policy rate and are
// ramped at the servo rate over the measured write period; read() returns the measured state.
// Time here is sim time: the driver does not step the world, whoever owns the world does (the launcher, a test).
import { loadArmDescription } from '../runtime/robot/index.js';
import type { ArmDescription, Kinematics } from '../runtime/robot/index.js';
import type { ArmDriver, DriverStatus, JointCommand, LifecycleState } from '../runtime/hardware/arm-driver.js';
import type { JointState } from '../runtime/messages/index.js';
import { World } from './world.js';
import type { WorldConfig } from './world.js';

export interface SimArmDriverConfig {
  /** Ramp used before two writes have measured the write period, s. Default 1/30. */
  defaultInterpolationS?: number;
  /** Longest ramp, s: a write after a pause is approached at full speed, not crawled to. Default 0.1. */
  maxInterpolationS?: number;
}

export class SimArmDriver implements ArmDriver {
  readonly description: ArmDescription;
  readonly world: World;
  /** Protective stops so far, and the reason of the last: for tests and benchmarks. */
  holdCount = 0;
  lastHoldReason: string | undefined;
  /** Writes refused (inactive, wrong length, not finite). */
  rejectedWrites = 0;
  lastError: string | undefined;

  #lifecycle: LifecycleState = 'unconfigured';
  readonly #state: JointState;
  readonly #stateIndex: Int32Array; // JointState entry -> dynamics joint
  readonly #commandPositions: Float64Array;
  readonly #defaultRampS: number;
  readonly #maxRampS: number;
  #rampS: number;
  #lastWriteS = Number.NaN;

  constructor(world: World, config: SimArmDriverConfig = {}) {
    this.world = world;
    this.description = world.description;
    this.#defaultRampS = config.defaultInterpolationS ?? 1 / 30;
    this.#maxRampS = config.maxInterpolationS ?? 0.1;
    this.#rampS = this.#defaultRampS;
    const d = world.dynamics;
    const reported = this.description.joints.filter((j) => j.type !== 'fixed' && !j.mimic);
    const index = reported.map((j) => d.jointNames.indexOf(j.name));
    const missing = reported.filter((_, i) => index[i] < 0).map((j) => j.name);
    if (missing.length) throw new Error(`SimArmDriver#constructor: joints ${missing.join(', ')} are not simulated`);
    this.#stateIndex = Int32Array.from(index);
    const n = reported.length;
    this.#state = {
      header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
      name: reported.map((j) => j.name),
      position: new Float64Array(n),
      velocity: new Float64Array(n),
      effort: new Float64Array(n),
    };
    this.#commandPositions = new Float64Array(d.dof);
  }

  get lifecycle(): LifecycleState {
    return this.#lifecycle;
  }

  async configure(): Promise<void> {
    if (this.#lifecycle === 'inactive') return;
    if (this.#lifecycle !== 'unconfigured') {
      throw new Error(`SimArmDriver#configure: driver is ${this.#lifecycle}; configure() needs it unconfigured`);
    }
    this.#lifecycle = 'inactive';
  }

  async activate(): Promise<void> {
    if (this.#lifecycle === 'active') return;
    if (this.#lifecycle !== 'inactive') {
      throw new Error(`SimArmDriver#activate: driver is ${this.#lifecycle}; call configure() first`);
    }
    // Command := measured, so activation never moves the arm.
    this.world.dynamics.setTarget(this.world.dynamics.position);
    this.#lastWriteS = Number.NaN;
    this.#rampS = this.#defaultRampS;
    this.#lifecycle = 'active';
  }

  async deactivate(): Promise<void> {
    if (this.#lifecycle !== 'active') return;
    this.world.dynamics.hold();
    this.#lifecycle = 'inactive';
  }

  read(): JointState {
    const d = this.world.dynamics, s = this.#state, idx = this.#stateIndex;
    const pos = s.position as Float64Array, vel = s.velocity as Float64Array, eff = s.effort as Float64Array;
    this.world.fillStamp(s.header.stamp);
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i];
      pos[i] = d.position[k];
      vel[i] = d.velocity[k];
      eff[i] = d.effort[k];
    }
    return s;
  }

  readCommandPositions(): Float64Array {
    this.#commandPositions.set(this.world.dynamics.position);
    return this.#commandPositions;
  }

  write(cmd: JointCommand): DriverStatus {
    if (this.#lifecycle !== 'active') return this.#reject(`SimArmDriver#write: driver is ${this.#lifecycle}; call activate() first`);
    const d = this.world.dynamics, q = cmd.positions;
    if (q.length !== d.dof) return this.#reject(`SimArmDriver#write: expected ${d.dof} positions, got ${q.length}`);
    for (let i = 0; i < q.length; i++) {
      if (!Number.isFinite(q[i])) return this.#reject(`SimArmDriver#write: position ${i} (${d.jointNames[i]}) is ${q[i]}`);
    }
    const nowS = this.world.timeS;
    const periodS = nowS - this.#lastWriteS;
    if (periodS > 0) this.#rampS = Math.min(periodS, this.#maxRampS);
    this.#lastWriteS = nowS;
    d.setTarget(q, this.#rampS);
    return 'ok';
  }

  hold(reason: string): void {
    this.holdCount++;
    this.lastHoldReason = reason;
    this.world.dynamics.hold();
  }

  #reject(message: string): DriverStatus {
    this.rejectedWrites++;
    this.lastError = message;
    return 'error';
  }
}

export interface SimWorldConfig extends Partial<Omit<WorldConfig, 'seed' | 'description'>> {
  seed: number;
  /** Default: the shipped arm6.urdf. */
  description?: ArmDescription;
  driver?: SimArmDriverConfig;
}

export interface SimWorldHandle {
  world: World;
  driver: SimArmDriver;
  description: ArmDescription;
  kinematics: Kinematics;
}

/** A world for the seed (4 boxes, 3 bins, 1000 Hz servo by default) and an unconfigured driver over it. */
export function createSimWorld(config: SimWorldConfig): SimWorldHandle {
  const { driver: driverConfig, ...rest } = config;
  const description = config.description ?? loadArmDescription();
  const world = new World({ ...rest, description });
  return { world, driver: new SimArmDriver(world, driverConfig), description, kinematics: world.kinematics };
}
