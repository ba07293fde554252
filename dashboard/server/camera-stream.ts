// Live camera frames to browsers as binary WebSocket frames ("ASF1" + JSON header + JPEG, see PROTOCOL.md),
// paced per client: a client gets the newest frame of a camera only once it acknowledged the previous one or its
// socket buffer drained. Nothing is ever queued per client, so a slow client sees a lower frame rate, costs the
// server one shared encoded frame per camera, and never slows the publisher (the robot side only calls publish()).
import { FRAME_MAGIC, FRAME_PREFIX_BYTES, type CameraInfoWire, type DetectionWire, type FrameHeader } from './ops-protocol.js';
import { WS_OPEN, type WebSocketLike } from './web-socket-like.js';

export interface CameraFrameInput {
  jpeg: Uint8Array;
  stampNs: bigint;
  width: number;
  height: number;
  detections?: readonly DetectionWire[];
}

export interface CameraStreamStats {
  framesPublished: number;
  framesSent: number;
  /** Frames a client never got because a newer one replaced it before it was ready. */
  framesSkipped: number;
}

interface Latest {
  seq: number;
  bytes: Buffer;
}

interface Viewer {
  ws: WebSocketLike;
  cameras: Set<string>;
  /** Camera -> seq sent and not yet acknowledged. */
  awaiting: Map<string, number>;
  sent: Map<string, number>;
}

/** Encodes a binary frame: magic, u32 LE header length, JSON header, payload. */
export function encodeFrame(header: FrameHeader, payload: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + json.length + payload.length);
  out.set(FRAME_MAGIC, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, FRAME_PREFIX_BYTES);
  out.set(payload, FRAME_PREFIX_BYTES + json.length);
  return out;
}

export class CameraStream {
  readonly stats: CameraStreamStats = { framesPublished: 0, framesSent: 0, framesSkipped: 0 };
  readonly #infos = new Map<string, CameraInfoWire>();
  readonly #latest = new Map<string, Latest>();
  readonly #viewers = new Map<unknown, Viewer>();
  readonly #maxBufferedBytes: number;
  note: string | undefined;

  constructor(options: { maxBufferedBytes?: number } = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 1 << 20;
  }

  /** Declares a camera clients may subscribe to. */
  addCamera(info: CameraInfoWire): void {
    this.#infos.set(info.name, { ...info });
  }

  get cameras(): CameraInfoWire[] {
    return [...this.#infos.values()];
  }

  /** Whether any client watches `camera`: the producer renders and encodes only then. */
  wanted(camera: string): boolean {
    for (const v of this.#viewers.values()) if (v.cameras.has(camera)) return true;
    return false;
  }

  /** The newest frame of `camera`; sent at once to every client ready for it. Never throws for a client. */
  publish(camera: string, frame: CameraFrameInput): void {
    if (!this.#infos.has(camera)) return;
    const seq = (this.#latest.get(camera)?.seq ?? 0) + 1;
    const header: FrameHeader = {
      kind: 'live', camera, seq, stampNs: frame.stampNs.toString(), width: frame.width, height: frame.height,
    };
    if (frame.detections) header.detections = frame.detections.map((d) => ({ ...d }));
    this.#latest.set(camera, { seq, bytes: encodeFrame(header, frame.jpeg) });
    this.stats.framesPublished++;
    for (const v of this.#viewers.values()) if (v.cameras.has(camera)) this.#trySend(v, camera);
  }

  /** Replaces the cameras `key`'s client receives; unknown names are refused (returned). */
  subscribe(key: unknown, ws: WebSocketLike, cameras: readonly string[]): { unknown: string[] } {
    const unknown = cameras.filter((c) => !this.#infos.has(c));
    let v = this.#viewers.get(key);
    if (!v) {
      v = { ws, cameras: new Set(), awaiting: new Map(), sent: new Map() };
      this.#viewers.set(key, v);
    }
    v.cameras = new Set(cameras.filter((c) => this.#infos.has(c)));
    for (const c of [...v.awaiting.keys()]) if (!v.cameras.has(c)) v.awaiting.delete(c);
    for (const c of v.cameras) this.#trySend(v, c);
    if (v.cameras.size === 0) this.#viewers.delete(key);
    return { unknown };
  }

  /** The client drew frame `seq` of `camera`; the newest frame goes if it has not been sent. */
  ack(key: unknown, camera: string, seq: number): void {
    const v = this.#viewers.get(key);
    if (!v) return;
    const waiting = v.awaiting.get(camera);
    if (waiting !== undefined && seq >= waiting) v.awaiting.delete(camera);
    if (v.cameras.has(camera)) this.#trySend(v, camera);
  }

  remove(key: unknown): void {
    this.#viewers.delete(key);
  }

  #trySend(v: Viewer, camera: string): void {
    const latest = this.#latest.get(camera);
    if (!latest || v.ws.readyState !== WS_OPEN) return;
    const sent = v.sent.get(camera) ?? 0;
    if (latest.seq <= sent) return;
    const buffered = v.ws.bufferedAmount;
    // Unacknowledged but fully handed to the OS also counts as ready: a client that never acks still gets
    // frames at the rate its connection carries them, and a lost ack cannot stall a stream.
    if (v.awaiting.has(camera) && buffered > 0) return;
    if (buffered > this.#maxBufferedBytes) return;
    try {
      v.ws.send(latest.bytes);
    } catch {
      return; // the socket is failing; its close event removes the client
    }
    this.stats.framesSkipped += Math.max(0, latest.seq - sent - 1);
    this.stats.framesSent++;
    v.sent.set(camera, latest.seq);
    v.awaiting.set(camera, latest.seq);
  }
}
