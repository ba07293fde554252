// A Camera over the sim world: it renders when the sim reaches a frame time, not on a wall-clock timer, so a
// run on SimClock (fast, repeatable) sees exactly the frames a real-time run would. The owner (the launcher's
// tick) calls poll(nowNs) — or capture(stampNs) directly — and consumers read() the latest frame.
//
// Two frame buffers alternate (SharedArrayBuffer-backed, so a frame can go to an inference worker without a
// copy): the frame read() returned stays intact until the capture after next.
import type { Camera, CameraInfo, Frame } from '../perception/cameras/camera.js';
import { FrameWaiters } from '../perception/cameras/frame-waiters.js';
import type { CameraInfo as CameraInfoMsg, Time } from '../runtime/messages/index.js';
import { timeFromNs } from '../runtime/messages/index.js';
import { SceneRenderer } from './render/scene-renderer.js';
import { overheadView, wristView } from './render/sim-views.js';
import type { SimView } from './render/sim-views.js';
import type { World } from './world.js';

export interface SimCameraConfig {
  /** Default 30. */
  fps?: number;
  /** Shared between the cameras of one world (it holds per-frame scratch, so one per thread). */
  renderer?: SceneRenderer;
}

export class SimCamera implements Camera {
  readonly info: CameraInfo;
  readonly view: SimView;
  readonly periodNs: bigint;
  readonly #world: World;
  readonly #renderer: SceneRenderer;
  readonly #frames: [Frame, Frame];
  readonly #waiters: FrameWaiters;
  #latest: Frame | undefined;
  #seq = 0;
  #nextNs: bigint | undefined;
  #connected = false;

  constructor(world: World, view: SimView, config: SimCameraConfig = {}) {
    const fps = config.fps ?? 30;
    if (!(fps > 0)) throw new Error(`SimCamera#constructor: camera "${view.name}" fps must be > 0, got ${fps}`);
    const { width, height } = view.camera.intrinsics;
    this.info = { name: view.name, width, height, fps, encoding: 'rgb8' };
    this.view = view;
    this.periodNs = BigInt(Math.round(1e9 / fps));
    this.#world = world;
    this.#waiters = new FrameWaiters(`SimCamera '${view.name}'`);
    this.#renderer = config.renderer ?? SceneRenderer.forWorld(world);
    const frame = (): Frame => ({
      stampNs: 0n, seq: 0, width, height, encoding: 'rgb8', data: new Uint8Array(new SharedArrayBuffer(3 * width * height)),
    });
    this.#frames = [frame(), frame()];
  }

  /** The sim's overhead camera (640×480, looking down at the table and bins). */
  static overhead(world: World, config?: SimCameraConfig): SimCamera {
    return new SimCamera(world, overheadView(), config);
  }

  /** The sim's wrist camera (640×480, on the tool flange, looking along tool Z). */
  static wrist(world: World, config?: SimCameraConfig): SimCamera {
    return new SimCamera(world, wristView(), config);
  }

  get connected(): boolean {
    return this.#connected;
  }

  async connect(): Promise<void> {
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    this.#connected = false;
    this.#nextNs = undefined;
    this.#waiters.rejectAll(`camera "${this.info.name}" was disconnected`);
  }

  /** Renders the world as it is now, stamped stampNs (the sim time of the capture). */
  capture(stampNs: bigint): Frame {
    if (!this.#connected) throw new Error(`SimCamera#capture: camera "${this.info.name}" is not connected; call connect() first`);
    const f = this.#frames[this.#seq & 1];
    this.#renderer.renderWorld(this.#world, this.view, f.data);
    f.stampNs = stampNs;
    f.seq = ++this.#seq;
    this.#latest = f;
    this.#nextNs = stampNs + this.periodNs;
    this.#waiters.wake(f);
    return f;
  }

  /**
   * Captures (stamped nowNs) when the sim has reached the next frame time; returns whether it did. The first
   * poll captures. Frame times stay on the fps grid when a poll comes a little late; after a gap of more than a
   * period the grid restarts at the late frame.
   */
  poll(nowNs: bigint): boolean {
    if (!this.#connected) return false;
    const due = this.#nextNs;
    if (due !== undefined && nowNs < due) return false;
    this.capture(nowNs);
    if (due !== undefined && nowNs - due < this.periodNs) this.#nextNs = due + this.periodNs;
    return true;
  }

  read(): Frame | undefined {
    return this.#latest;
  }

  readFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    if (!this.#connected && !(this.#latest && this.#latest.seq > afterSeq)) {
      return Promise.reject(new Error(`SimCamera#readFresh: camera "${this.info.name}" is not connected; call connect() first`));
    }
    return this.#waiters.wait(this.#latest, afterSeq, timeoutMs);
  }

  /** sensor_msgs/CameraInfo for /<name>/camera_info. */
  cameraInfo(stamp: Time = timeFromNs(this.#latest?.stampNs ?? 0n)): CameraInfoMsg {
    return this.view.camera.cameraInfo(this.view.frameId, stamp);
  }
}
