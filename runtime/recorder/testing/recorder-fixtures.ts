// Test support for the episode recorder (never imported by run-time code): a settable clock, synthetic frames, an
// encoder whose jobs finish when the test says so, and a recorder on a manual in-process graph.
import { InProcGraph, type GraphNode, type Publisher } from '../../graph/index.js';
import type { Frame } from '../../../perception/cameras/camera.js';
import { MsgTypes, timeFromNs, type JointState, type JointTrajectory } from '../../messages/index.js';
import type { EncodeJob, FrameEncoder } from '../frame-encoder.js';
import type { EpisodeMetadata } from '../episode-config.js';

export class FakeClock {
  constructor(public ns = 1_000_000_000n) {}
  nowNs(): bigint {
    return this.ns;
  }
  advanceS(s: number): bigint {
    this.ns += BigInt(Math.round(s * 1e9));
    return this.ns;
  }
}

export function rgbFrame(width: number, height: number, seq: number, stampNs: bigint): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i + seq * 7) & 0xff;
  return { stampNs, seq, width, height, encoding: 'rgb8', data };
}

/** A frame of noise: chunks of these do not compress, so they fill a disk at their full size. */
export function noiseFrame(width: number, height: number, seq: number, stampNs: bigint): Frame {
  const data = new Uint8Array(width * height * 3);
  const words = new Uint32Array(data.buffer, 0, data.byteLength >>> 2);
  let x = (seq * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    words[i] = x >>> 0;
  }
  return { stampNs, seq, width, height, encoding: 'rgb8', data };
}

/** Holds every job until release(); the "JPEG" is the first 16 bytes of the pixels (copied at encode()). */
export class ManualEncoder implements FrameEncoder {
  readonly jobs: Array<{ head: Uint8Array; resolve: (jpeg: Uint8Array) => void; reject: (e: Error) => void }> = [];
  closed = false;
  async ready(): Promise<void> {}
  encode(job: EncodeJob): Promise<Uint8Array> {
    const head = job.data.slice(0, 16);
    return new Promise((resolve, reject) => this.jobs.push({ head, resolve, reject }));
  }
  /** Finishes the oldest `n` jobs (all by default). */
  release(n = this.jobs.length): void {
    for (const { head, resolve } of this.jobs.splice(0, n)) resolve(head);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export const TOWEL: EpisodeMetadata = {
  task: 'fold the towel in half',
  operator: 'Zoë',
  object: { name: 'towel', category: 'cloth', material: 'cotton', approxSizeM: [0.5, 0.3, 0.005], massKg: 0.12 },
};

export const JOINTS = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'gripper'];

export interface GraphRig {
  graph: InProcGraph;
  node: GraphNode;
  joints: Publisher<JointState>;
  actions: Publisher<JointTrajectory>;
  /** Publishes one joint state and one action stamped `stampNs`, then delivers them. */
  tick(stampNs: bigint, i: number): void;
}

export function graphRig(): GraphRig {
  const graph = new InProcGraph({ delivery: 'manual' });
  const node = graph.createNode('recorder_test');
  const joints = node.createPublisher<JointState>(MsgTypes.JointState, '/joint_states');
  const actions = node.createPublisher<JointTrajectory>(MsgTypes.JointTrajectory, '/arm_controller/joint_trajectory');
  return {
    graph, node, joints, actions,
    tick(stampNs, i) {
      joints.publish({
        header: { stamp: timeFromNs(stampNs), frame_id: String(i) }, name: JOINTS,
        position: JOINTS.map((_, k) => Math.sin(i * 0.1 + k)), velocity: [], effort: [],
      });
      actions.publish({
        header: { stamp: timeFromNs(stampNs), frame_id: 'base' }, joint_names: JOINTS,
        points: [{ positions: JOINTS.map((_, k) => Math.sin(i * 0.1 + k + 0.05)), velocities: [], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 33_333_333 } }],
      });
      graph.drain();
    },
  };
}
