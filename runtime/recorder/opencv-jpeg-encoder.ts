// JPEG encoding with OpenCV on libuv's thread pool (cvtColorAsync, imencodeAsync). The main thread only copies the
// pixels into a pooled Mat (one memcpy) and queues the work.
//
// Why not worker threads: the @u4/opencv4nodejs binding keeps per-process static state bound to the first
// JavaScript context that loads it. Loading it in a second worker, or in a worker and the main thread, crashed
// the process (SIGSEGV) on this machine, and the camera and preprocessing code already load it on the main thread.
import { loadOpenCv, type Mat, type OpenCv } from '../../perception/cameras/opencv-loader.js';
import type { EncodeJob, FrameEncoder } from './frame-encoder.js';

export class OpenCvJpegEncoder implements FrameEncoder {
  #cv: OpenCv | undefined;
  readonly #pools = new Map<string, Mat[]>();
  #closed = false;
  /** Frames encoded so far. */
  encoded = 0;

  async ready(): Promise<void> {
    this.#cv ??= loadOpenCv('OpenCvJpegEncoder');
  }

  /**
   * Allocates pooled Mats now. The first write into a fresh Mat page-faults its memory in, ~10 ms per 640x480
   * frame on a busy machine: done on the first frames of an episode, that stalled the event loop for >250 ms.
   */
  prepare(width: number, height: number, count: number): void {
    const cv = this.#cv;
    if (!cv) throw new Error('OpenCvJpegEncoder#prepare: call ready() first');
    const pool = this.#pool(width, height);
    const zeros = Buffer.alloc(width * height * 3);
    for (let i = 0; i < count; i++) {
      const mat = new cv.Mat(height, width, cv.CV_8UC3);
      mat.setData(zeros);
      pool.push(mat);
    }
  }

  #pool(width: number, height: number): Mat[] {
    const key = `${width}x${height}`;
    let pool = this.#pools.get(key);
    if (!pool) this.#pools.set(key, (pool = []));
    return pool;
  }

  encode(job: EncodeJob): Promise<Uint8Array> {
    const cv = this.#cv;
    if (!cv) return Promise.reject(new Error('OpenCvJpegEncoder#encode: call ready() first'));
    if (this.#closed) return Promise.reject(new Error('OpenCvJpegEncoder#encode: the encoder is closed'));
    const pool = this.#pool(job.width, job.height);
    const mat = pool.pop() ?? new cv.Mat(job.height, job.width, cv.CV_8UC3);
    mat.setData(Buffer.from(job.data.buffer, job.data.byteOffset, job.width * job.height * 3));
    const params = [cv.IMWRITE_JPEG_QUALITY, job.quality];
    return (async () => {
      let converted: Mat | undefined;
      try {
        if (job.encoding === 'rgb8') converted = await mat.cvtColorAsync(cv.COLOR_RGB2BGR);
        const jpeg = await cv.imencodeAsync('.jpg', converted ?? mat, params);
        this.encoded++;
        return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
      } finally {
        // Native memory of converted frames is not tracked by V8 (external-memory tracking is off): free it now.
        converted?.release();
        pool.push(mat);
      }
    })();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pool of this.#pools.values()) for (const mat of pool) mat.release();
    this.#pools.clear();
  }
}
