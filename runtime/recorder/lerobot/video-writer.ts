// One camera's frames into an H.264 mp4 through Debian's ffmpeg: JPEG frames are piped in as they are (ffmpeg
// decodes them), raw frames as rgb24/bgr24. Output is yuv420p at exactly one frame per input frame at the dataset
// fps. A second output, a small rgb24 copy of each frame on stdout, feeds the image statistics without decoding
// anything in JavaScript.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { UserError } from '../../errors.js';
import { StatsAccumulator, type FeatureStats } from './stats.js';

export interface VideoWriterOptions {
  path: string;
  fps: number;
  width: number;
  height: number;
  input: 'jpeg' | 'rgb24' | 'bgr24';
  /** Keyframe interval; LeRobot uses 2 so training can seek to any frame cheaply. */
  gop?: number;
  crf?: number;
  /** Size of the copy used for statistics. */
  statsWidth?: number;
  statsHeight?: number;
  ffmpegPath?: string;
}

export const VIDEO_CODEC = 'h264';
export const VIDEO_PIX_FMT = 'yuv420p';

export class VideoWriter {
  readonly path: string;
  readonly #proc: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #statsFrameBytes: number;
  readonly #exit: Promise<number | null>;
  #stderr = '';
  #pending: Buffer = Buffer.alloc(0);
  #framesIn = 0;
  #statsFrames = 0;
  /** Per-frame stats chunks: one accumulator per segment (episode), switched by startSegment(). */
  #segments: Array<{ acc: StatsAccumulator; frames: number; expected: number }> = [];

  constructor(o: VideoWriterOptions) {
    this.path = o.path;
    const sw = o.statsWidth ?? 80, sh = o.statsHeight ?? 60;
    this.#statsFrameBytes = sw * sh * 3;
    const input = o.input === 'jpeg'
      ? ['-f', 'image2pipe', '-c:v', 'mjpeg', '-framerate', String(o.fps), '-i', 'pipe:0']
      : ['-f', 'rawvideo', '-pix_fmt', o.input, '-s', `${o.width}x${o.height}`, '-framerate', String(o.fps), '-i', 'pipe:0'];
    const args = [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...input,
      '-map', '0:v', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(o.crf ?? 23), '-g', String(o.gop ?? 2),
      '-pix_fmt', VIDEO_PIX_FMT, '-vf', `scale=${evenSize(o.width)}:${evenSize(o.height)}`, '-fps_mode', 'passthrough', '-movflags', '+faststart', o.path,
      '-map', '0:v', '-vf', `scale=${sw}:${sh}:flags=area`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ];
    const ffmpeg = o.ffmpegPath ?? 'ffmpeg';
    this.#proc = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#exit = new Promise((resolve, reject) => {
      this.#proc.on('error', (e) => reject(new UserError(`VideoWriter: cannot run ${ffmpeg} (${e.message}); install it with \`apt-get install ffmpeg\``)));
      this.#proc.on('close', (code) => resolve(code));
    });
    this.#exit.catch(() => undefined);
    this.#proc.stderr.on('data', (d: Buffer) => {
      if (this.#stderr.length < 20_000) this.#stderr += d.toString();
    });
    this.#proc.stdout.on('data', (d: Buffer) => this.#onStats(d));
    this.#proc.stdin.on('error', () => undefined);
  }

  /** Frames written so far. */
  get frames(): number {
    return this.#framesIn;
  }

  /** Starts a new stats segment (an episode) of `frames` frames; stats of frames written after go to it. */
  startSegment(frames: number): void {
    this.#segments.push({ acc: new StatsAccumulator(3), frames: 0, expected: frames });
  }

  /** Writes one frame (JPEG bytes or packed pixels), waiting when ffmpeg's pipe is full. */
  async write(data: Uint8Array): Promise<void> {
    this.#framesIn++;
    if (!this.#proc.stdin.write(data)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          this.#proc.off('close', onClose);
          resolve();
        };
        const onClose = (): void => reject(new UserError(`VideoWriter: ffmpeg quit while writing ${this.path}: ${this.#stderr.trim()}`));
        this.#proc.stdin.once('drain', onDrain);
        this.#proc.once('close', onClose);
      });
    }
  }

  /** Closes the input and waits for ffmpeg; returns the image stats of each segment. */
  async finish(): Promise<FeatureStats[]> {
    this.#proc.stdin.end();
    const code = await this.#exit;
    if (code !== 0) throw new UserError(`VideoWriter: ffmpeg failed (exit ${code}) writing ${this.path}: ${this.#stderr.trim()}`);
    if (this.#statsFrames !== this.#framesIn) {
      throw new Error(`VideoWriter#finish: ${this.#framesIn} frames in, ${this.#statsFrames} out of ffmpeg for ${this.path}`);
    }
    return this.#segments.map((s) => s.acc.result(s.frames));
  }

  /** Kills ffmpeg (on an error elsewhere). */
  abort(): void {
    this.#proc.kill('SIGKILL');
  }

  #onStats(chunk: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const size = this.#statsFrameBytes;
    let offset = 0;
    while (this.#pending.length - offset >= size) {
      this.#statsFrame(this.#pending.subarray(offset, offset + size));
      offset += size;
    }
    this.#pending = this.#pending.subarray(offset);
  }

  #statsFrame(rgb: Uint8Array): void {
    this.#statsFrames++;
    if (this.#segments.length === 0) this.startSegment(Number.POSITIVE_INFINITY);
    // Segments fill in order: this frame belongs to the first one not yet full.
    const seg = this.#segments.find((s) => s.frames < s.expected) ?? this.#segments[this.#segments.length - 1];
    seg.acc.addInterleaved(rgb, 1 / 255);
    seg.frames++;
  }
}

/** yuv420p needs even sizes: the video is cropped by scaling to the even size below. */
export function evenSize(n: number): number {
  return n - (n % 2);
}
