// Live timing for the dashboard's plots, from the graph as a side tap. The loop's own accounts (LoopStats) cover
// the whole run; a plot needs the last few seconds. Joint states are stamped with their tick's start, so the
// difference of consecutive stamps is the measured loop period; a command's stamp against the moment this tap
// receives it is the end-to-end latency from the tick's state read to a command a subscriber can act on.
import { QoS, type GraphNode } from '../runtime/graph/index.js';
import { MsgTypes, nsFromTime, type JointState, type JointTrajectory } from '../runtime/messages/index.js';

/** The newest `capacity` samples; percentiles sort a copy (a few hundred values, at the plot's 2 Hz). */
export class RollingWindow {
  readonly #values: Float64Array;
  #next = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  push(v: number): void {
    this.#values[this.#next] = v;
    this.#next = (this.#next + 1) % this.#values.length;
    if (this.#count < this.#values.length) this.#count++;
  }

  get count(): number { return this.#count; }

  /** Nearest-rank percentile; NaN when empty. */
  percentile(p: number): number {
    if (this.#count === 0) return NaN;
    const sorted = this.#values.slice(0, this.#count).sort();
    return sorted[Math.min(this.#count - 1, Math.max(0, Math.ceil((p / 100) * this.#count) - 1))];
  }
}

export class StackTiming {
  readonly jitterMs: RollingWindow;
  readonly latencyMs: RollingWindow;
  readonly #subs: { destroy(): void }[];
  #lastStampNs: bigint | undefined;

  /** `window`: samples kept (default 150: five seconds at 30 Hz). */
  constructor(node: GraphNode, nominalPeriodS: number, nowNs: () => bigint, window = 150) {
    this.jitterMs = new RollingWindow(window);
    this.latencyMs = new RollingWindow(window);
    const nominalMs = nominalPeriodS * 1000;
    this.#subs = [
      node.createSubscription<JointState>(MsgTypes.JointState, '/joint_states', (msg) => {
        const stamp = nsFromTime(msg.header.stamp);
        if (this.#lastStampNs !== undefined && stamp > this.#lastStampNs) {
          this.jitterMs.push(Math.abs(Number(stamp - this.#lastStampNs) / 1e6 - nominalMs));
        }
        this.#lastStampNs = stamp;
      }, QoS.sensorData),
      node.createSubscription<JointTrajectory>(MsgTypes.JointTrajectory, '/arm_controller/joint_trajectory', (msg) => {
        const latency = Number(nowNs() - nsFromTime(msg.header.stamp)) / 1e6;
        if (latency >= 0) this.latencyMs.push(latency);
      }, QoS.sensorData),
    ];
  }

  close(): void {
    for (const s of this.#subs.splice(0)) s.destroy();
  }
}
