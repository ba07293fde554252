// A camera, in the spirit of LeRobot's Camera: features (size, rate, encoding) are known before connect() so
// buffers and dataset schemas are sized up front; every frame carries its capture time; "peek at the latest"
// (read) is separate from "wait for a fresh one" (readFresh).

export type PixelEncoding = 'rgb8' | 'bgr8';

export interface CameraInfo {
  /** Topic-safe name: frames go to /<name>/image_raw. */
  name: string;
  width: number;
  height: number;
  fps: number;
  encoding: PixelEncoding;
}

export interface Frame {
  /** Capture time on the stack's clock (ns), not the time it was read. */
  stampNs: bigint;
  /** Increments per captured frame; a gap means frames were missed. */
  seq: number;
  width: number;
  height: number;
  encoding: PixelEncoding;
  /** Row-major, 3 bytes per pixel, no padding. May be a view on a SharedArrayBuffer: copy it to keep it. */
  data: Uint8Array;
}

export interface Camera {
  readonly info: CameraInfo;
  readonly connected: boolean;
  connect(): Promise<void>;
  /** The latest frame, never waits; undefined before the first one. */
  read(): Frame | undefined;
  /** Resolves with the next frame newer than `afterSeq`, or rejects after timeoutMs naming the camera. */
  readFresh(afterSeq: number, timeoutMs: number): Promise<Frame>;
  disconnect(): Promise<void>;
}
