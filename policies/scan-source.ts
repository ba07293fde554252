// Look before acting. The overhead camera sees the table from above, so the arm itself hides whatever lies
// under it; a learned policy handed an unseen target has nothing to act on. This source wraps the policy's:
// it holds still while the first detections come in; if the target stays unseen it moves the arm to a scan pose
// that clears the camera's view of the table, waits for a clear detection, returns to where it started (the
// policy was trained from such ready poses) and then hands every tick to the policy. Its motions are plain
// joint-space ramps within a speed cap, and like every command they pass the safety filter downstream.
import type { CommandSource } from '../runtime/loop/control-pipeline.js';
import type { TickInfo } from '../runtime/loop/fixed-rate-loop.js';
import type { JointState } from '../runtime/messages/index.js';
import { emptyTaskObservation, type TaskObservationSource } from './features.js';

export type ScanPhase = 'home' | 'look' | 'to_scan' | 'scan' | 'to_ready' | 'act';

export interface ScanConfig {
  /** Arm joints of the scan pose (no gripper): the arm clear of the camera's view of the workspace. */
  scanQ: ArrayLike<number>;
  rateHz: number;
  /** Joint speed of the ramps, rad/s. Default 0.8. */
  speedRadPerS?: number;
  /** Frames the task source must judge (or ticks, for sources that answer at once) before moving. Default 3. */
  lookFrames?: number;
  /** Hand over once every arm joint is this close to the ready pose, rad. Default 0.01. */
  settleRad?: number;
  /** Ticks at the scan pose before giving up and handing over anyway. Default 90. */
  scanTicks?: number;
}

export class TargetScanSource implements CommandSource {
  readonly name: string;
  phase: ScanPhase = 'look';
  readonly #inner: CommandSource;
  readonly #task: TaskObservationSource;
  readonly #scanQ: Float64Array;
  readonly #stepRad: number;
  readonly #lookFrames: number;
  readonly #settleRad: number;
  readonly #scanTicks: number;
  readonly #obs = emptyTaskObservation();
  #ready: Float64Array | undefined;
  #home: Float64Array | undefined;
  #out: Float64Array | undefined;
  #phaseTicks = 0;

  constructor(inner: CommandSource, task: TaskObservationSource, config: ScanConfig) {
    this.name = inner.name;
    this.#inner = inner;
    this.#task = task;
    this.#scanQ = Float64Array.from(config.scanQ);
    if (!(config.rateHz > 0)) throw new Error(`TargetScanSource: rateHz must be > 0, got ${config.rateHz}`);
    this.#stepRad = (config.speedRadPerS ?? 0.8) / config.rateHz;
    this.#lookFrames = config.lookFrames ?? 3;
    this.#settleRad = config.settleRad ?? 0.01;
    this.#scanTicks = config.scanTicks ?? 90;
  }

  /**
   * Starts over (a new target). With readyQ (arm joints), the arm first returns there, the kind of pose the policy
   * starts from, then looks; without, it looks from wherever it is.
   */
  restart(readyQ?: ArrayLike<number>): void {
    this.phase = readyQ ? 'home' : 'look';
    this.#phaseTicks = 0;
    this.#ready = undefined;
    this.#out = undefined;
    this.#home = readyQ ? Float64Array.from(readyQ) : undefined;
  }

  next(measured: Float64Array, state: JointState, tick: TickInfo): Float64Array | null {
    if (this.phase === 'act') return this.#inner.next(measured, state, tick);
    if (!this.#ready) {
      this.#ready = Float64Array.from(measured);
      this.#out = Float64Array.from(measured);
      if (this.#home) this.#ready.set(this.#home);
    }
    const out = this.#out!;
    const seen = this.#task.read(measured, state, this.#obs);
    this.#phaseTicks++;
    switch (this.phase) {
      case 'home':
        if (this.#rampToward(this.#ready!) && this.#settled(measured)) this.#enter('look');
        return out;
      case 'look':
        if (seen) return this.#enter('act', measured, state, tick);
        if ((this.#task.framesJudged ?? this.#phaseTicks) >= this.#lookFrames) this.#enter('to_scan');
        return out;
      case 'to_scan':
        if (seen) this.#enter('to_ready');
        else if (this.#rampToward(this.#scanQ)) this.#enter('scan');
        return out;
      case 'scan':
        if (seen || this.#phaseTicks >= this.#scanTicks) this.#enter('to_ready');
        return out;
      case 'to_ready':
        if (this.#rampToward(this.#ready) && this.#settled(measured)) return this.#enter('act', measured, state, tick);
        return out;
    }
  }

  #enter(phase: ScanPhase, measured?: Float64Array, state?: JointState, tick?: TickInfo): Float64Array | null {
    this.phase = phase;
    this.#phaseTicks = 0;
    return phase === 'act' && measured && state && tick ? this.#inner.next(measured, state, tick) : this.#out ?? null;
  }

  #settled(measured: Float64Array): boolean {
    for (let i = 0; i < this.#scanQ.length; i++) if (Math.abs(measured[i] - this.#ready![i]) > this.#settleRad) return false;
    return true;
  }

  /** Moves the held command one step toward target (arm joints only); true once there. */
  #rampToward(target: ArrayLike<number>): boolean {
    const out = this.#out!;
    let done = true;
    for (let i = 0; i < this.#scanQ.length; i++) {
      const d = target[i] - out[i];
      if (Math.abs(d) > this.#stepRad) {
        out[i] += Math.sign(d) * this.#stepRad;
        done = false;
      } else out[i] = target[i];
    }
    return done;
  }
}
