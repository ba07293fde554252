// Pulls fresh frames from a Camera into the recorder, as publishFrames does for the graph: it waits on
// readFresh() on its own, so the control loop never waits for a camera. Frames are handed over only while active.
import type { Camera, Frame } from '../../perception/cameras/camera.js';

export class CameraTap {
  readonly #camera: Camera;
  readonly #onFrame: (frame: Frame) => void;
  #loop: Promise<void> | undefined;
  #running = false;
  #active = false;

  constructor(camera: Camera, onFrame: (frame: Frame) => void) {
    this.#camera = camera;
    this.#onFrame = onFrame;
  }

  /** Hands frames over from now on (starts the pulling loop the first time). */
  start(): void {
    this.#active = true;
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops handing frames over; the loop keeps up with the camera so the next start gets fresh frames only. */
  pause(): void {
    this.#active = false;
  }

  async stop(): Promise<void> {
    this.#active = false;
    this.#running = false;
    await this.#loop;
  }

  async #run(): Promise<void> {
    let seq = this.#camera.read()?.seq ?? 0;
    while (this.#running) {
      let frame: Frame;
      try {
        frame = await this.#camera.readFresh(seq, 250);
      } catch {
        // No frame in time: the recorder's monitor reports the gap; keep waiting (a disconnected camera is polled).
        if (this.#running && !this.#camera.connected) await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      seq = frame.seq;
      if (this.#running && this.#active) this.#onFrame(frame);
    }
  }
}
