// An in-memory Camera for tests: frames appear when the test pushes them.
import type { Camera, CameraInfo, Frame, PixelEncoding } from '../camera.js';
import { FrameRing } from '../frame-ring.js';

export class FakeCamera implements Camera {
  readonly info: CameraInfo;
  readonly #ring: FrameRing;
  connected = false;

  constructor(name: string, width: number, height: number, encoding: PixelEncoding = 'rgb8', fps = 30) {
    this.info = { name, width, height, fps, encoding };
    this.#ring = new FrameRing(`FakeCamera '${name}'`, width, height);
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  push(data: Uint8Array, stampNs: bigint): Frame {
    this.#ring.acquire().set(data);
    return this.#ring.commit(stampNs, this.info.encoding);
  }

  read(): Frame | undefined {
    return this.#ring.latest;
  }

  readFresh(afterSeq: number, timeoutMs: number): Promise<Frame> {
    return this.#ring.waitFresh(afterSeq, timeoutMs);
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.#ring.rejectWaiters('disconnected');
  }
}
