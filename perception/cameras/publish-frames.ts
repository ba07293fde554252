// A side tap: publishes a camera's frames as /<name>/image_raw (sensor_msgs/Image) and, when asked, as
// /<name>/image_raw/compressed (JPEG). It waits for fresh frames on its own, copies a frame only when someone
// subscribes, and encodes JPEG on libuv's pool, so it never slows the hot path.
import type { GraphNode, Publisher } from '../../runtime/graph/index.js';
import { QoS } from '../../runtime/graph/index.js';
import { MsgTypes, timeFromNs, type CompressedImage, type Image } from '../../runtime/messages/index.js';
import type { Camera, Frame } from './camera.js';
import { loadOpenCv, type OpenCv } from './opencv-loader.js';

export interface PublishFramesOptions {
  /** Also publish JPEG on /<name>/image_raw/compressed (loads OpenCV). Default false. */
  compressed?: boolean;
  /** 0..100, default 80. */
  jpegQuality?: number;
  /** header.frame_id; default `<name>_optical_frame`. */
  frameId?: string;
}

export interface FramePublisherStats {
  published: number;
  compressed: number;
  /** JPEG encodes skipped because the previous one was still running. */
  compressSkipped: number;
  errors: number;
  lastError: string;
}

export interface FramePublisher {
  readonly stats: FramePublisherStats;
  readonly topics: string[];
  stop(): Promise<void>;
}

export function publishFrames(camera: Camera, node: GraphNode, options: PublishFramesOptions = {}): FramePublisher {
  const { name } = camera.info;
  const frameId = options.frameId ?? `${name}_optical_frame`;
  const raw = node.createPublisher<Image>(MsgTypes.Image, `/${name}/image_raw`, QoS.sensorData);
  let cv: OpenCv | undefined;
  let jpeg: Publisher<CompressedImage> | undefined;
  if (options.compressed) {
    cv = loadOpenCv('publishFrames');
    jpeg = node.createPublisher<CompressedImage>(MsgTypes.CompressedImage, `/${name}/image_raw/compressed`, QoS.sensorData);
  }
  const quality = options.jpegQuality ?? 80;
  const stats: FramePublisherStats = { published: 0, compressed: 0, compressSkipped: 0, errors: 0, lastError: '' };
  let running = true;
  let encoding = false;

  const publishJpeg = async (frame: Frame, data: Uint8Array): Promise<void> => {
    encoding = true;
    try {
      const c = cv!;
      let mat = new c.Mat(Buffer.from(data.buffer, data.byteOffset, data.byteLength), frame.height, frame.width, c.CV_8UC3);
      if (frame.encoding === 'rgb8') mat = await mat.cvtColorAsync(c.COLOR_RGB2BGR);
      const bytes = await c.imencodeAsync('.jpg', mat, [c.IMWRITE_JPEG_QUALITY, quality]);
      if (!running) return;
      jpeg!.publish({ header: { stamp: timeFromNs(frame.stampNs), frame_id: frameId }, format: `${frame.encoding}; jpeg compressed bgr8`, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      stats.compressed++;
    } catch (error) {
      stats.errors++;
      stats.lastError = `JPEG encode: ${(error as Error).message}`;
    } finally {
      encoding = false;
    }
  };

  const loop = (async (): Promise<void> => {
    let seq = camera.read()?.seq ?? 0;
    while (running) {
      let frame: Frame;
      try {
        frame = await camera.readFresh(seq, 500);
      } catch {
        // No frame in time (reconnecting, not connected yet): keep waiting; a stop ends the loop.
        if (running && !camera.connected) await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (!running) break;
      seq = frame.seq;
      const wantRaw = raw.subscriptionCount() > 0;
      const wantJpeg = jpeg !== undefined && jpeg.subscriptionCount() > 0;
      if (!wantRaw && !wantJpeg) continue;
      // Messages may be shared with subscribers and the frame's buffer is reused: copy once, then hand it out.
      const data = frame.data.slice();
      if (wantRaw) {
        raw.publish({
          header: { stamp: timeFromNs(frame.stampNs), frame_id: frameId },
          height: frame.height, width: frame.width, encoding: frame.encoding, is_bigendian: 0, step: frame.width * 3, data,
        });
        stats.published++;
      }
      if (wantJpeg) {
        if (encoding) stats.compressSkipped++;
        else void publishJpeg(frame, data);
      }
    }
  })();

  return {
    stats,
    topics: jpeg ? [raw.topic, jpeg.topic] : [raw.topic],
    async stop(): Promise<void> {
      running = false;
      await loop;
      raw.destroy();
      jpeg?.destroy();
    },
  };
}
