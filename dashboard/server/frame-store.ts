import { JointStateMerger, type JointStateLike } from './joint-state-merger.js';
import {
  stampToNs,
  type JointNamesMsg,
  type JointStatesMsg,
  type SceneBinWire,
  type SceneMsg,
  type SceneObjectWire,
  type TopicName,
} from './protocol.js';

/** The fields of armstack_msgs/SceneState the dashboard reads (structural, so extra fields are ignored). */
export interface SceneStateLike {
  header: { stamp: { sec: number; nanosec: number } };
  objects: readonly SceneObjectWire[];
  bins: readonly SceneBinWire[];
}

/**
 * The newest frame of each topic, encoded at most once per message and only when a client asks for it, so
 * a fast publisher with nobody watching costs a merge and nothing more. Sequence numbers let each client
 * tell whether it has sent the newest frame already; everything older is simply never sent (dropped).
 */
export class FrameStore {
  #merger = new JointStateMerger();
  #jointSeq = 0;
  #jointText: string | undefined;
  #namesVersion = 0;
  #namesText: string | undefined;
  #scene: SceneStateLike | undefined;
  #sceneSeq = 0;
  #sceneText: string | undefined;

  putJointState(msg: JointStateLike): void {
    if (this.#merger.merge(msg)) {
      this.#namesVersion++;
      this.#namesText = undefined;
    }
    this.#jointSeq++;
    this.#jointText = undefined;
  }

  putScene(msg: SceneStateLike): void {
    this.#scene = msg;
    this.#sceneSeq++;
    this.#sceneText = undefined;
  }

  /** 0 until the first message on that topic. */
  seq(topic: TopicName): number {
    return topic === '/joint_states' ? this.#jointSeq : this.#sceneSeq;
  }

  frame(topic: TopicName): string | undefined {
    return topic === '/joint_states' ? this.#jointFrame() : this.#sceneFrame();
  }

  get jointNames(): string[] { return [...this.#merger.names]; }
  get namesVersion(): number { return this.#namesVersion; }

  namesFrame(): string {
    if (this.#namesText === undefined) {
      const msg: JointNamesMsg = { op: 'joint_names', jointNames: [...this.#merger.names] };
      this.#namesText = JSON.stringify(msg);
    }
    return this.#namesText;
  }

  #jointFrame(): string | undefined {
    if (this.#jointSeq === 0) return undefined;
    if (this.#jointText === undefined) {
      const msg: JointStatesMsg = {
        op: 'joint_states',
        stampNs: stampToNs(this.#merger.stamp),
        position: [...this.#merger.positions],
      };
      this.#jointText = JSON.stringify(msg);
    }
    return this.#jointText;
  }

  #sceneFrame(): string | undefined {
    const scene = this.#scene;
    if (scene === undefined) return undefined;
    if (this.#sceneText === undefined) {
      // Pick the wire fields explicitly: the graph message may carry more than the browser should see.
      const msg: SceneMsg = {
        op: 'scene',
        stampNs: stampToNs(scene.header?.stamp ?? { sec: 0, nanosec: 0 }),
        objects: (scene.objects ?? []).map((o) => ({
          id: String(o.id),
          kind: o.kind,
          color: o.color,
          size: { x: o.size.x, y: o.size.y, z: o.size.z },
          pose: { position: { ...o.pose.position }, orientation: { ...o.pose.orientation } },
          held: Boolean(o.held),
          in_bin: o.in_bin,
        })),
        bins: (scene.bins ?? []).map((b) => ({
          number: b.number,
          pose: { position: { ...b.pose.position }, orientation: { ...b.pose.orientation } },
          size: { x: b.size.x, y: b.size.y, z: b.size.z },
        })),
      };
      this.#sceneText = JSON.stringify(msg);
    }
    return this.#sceneText;
  }
}
