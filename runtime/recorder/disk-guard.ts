// Watches the free space of the recording folder. statfs runs on the thread pool every intervalMs; between two
// checks the guard subtracts what the recorder wrote since, so a fast writer (raw images fill ~30 MB/s per
// camera) is caught before the next poll, and a check is requested as soon as the estimate crosses the line.
import { statfs as statfsAsync } from 'node:fs/promises';

/** What the guard needs of fs.statfs: free blocks for unprivileged users and the block size. */
export type StatFsFn = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

export interface DiskGuardOptions {
  dir: string;
  /** Never let free space fall below this. */
  minFreeBytes: number;
  /** Also keep twice the data of the last `horizonS` seconds (10 s) free, at the observed write rate. */
  horizonS?: number;
  statfs?: StatFsFn;
}

export interface DiskCheck {
  freeBytes: number;
  thresholdBytes: number;
  low: boolean;
}

export class DiskGuard {
  readonly #dir: string;
  readonly #minFreeBytes: number;
  readonly #horizonS: number;
  readonly #statfs: StatFsFn;
  #lastFreeBytes = Number.POSITIVE_INFINITY;
  #bytesAtLastCheck = 0;
  #rateBytesPerS = 0;
  #checking: Promise<DiskCheck> | undefined;

  constructor(options: DiskGuardOptions) {
    this.#dir = options.dir;
    this.#minFreeBytes = options.minFreeBytes;
    this.#horizonS = options.horizonS ?? 10;
    this.#statfs = options.statfs ?? ((path) => statfsAsync(path));
  }

  /** The line below which the episode must end: the larger of the floor and 2x the last horizon's data. */
  get thresholdBytes(): number {
    return Math.max(this.#minFreeBytes, 2 * this.#rateBytesPerS * this.#horizonS);
  }

  /** Feeds the observed write rate (bytes/s), e.g. bytes written over the episode so far. */
  setWriteRate(bytesPerS: number): void {
    if (Number.isFinite(bytesPerS) && bytesPerS >= 0) this.#rateBytesPerS = bytesPerS;
  }

  /** Free space estimated from the last statfs minus what was written since; `bytesWritten` is a running total. */
  estimateFreeBytes(bytesWritten: number): number {
    return this.#lastFreeBytes - Math.max(0, bytesWritten - this.#bytesAtLastCheck);
  }

  /** Whether the estimate says the line is crossed (cheap: call it on every write batch). */
  estimateLow(bytesWritten: number): boolean {
    return this.estimateFreeBytes(bytesWritten) < this.thresholdBytes;
  }

  /** Asks the filesystem; concurrent calls share one statfs. `bytesWritten` anchors later estimates. */
  check(bytesWritten: number): Promise<DiskCheck> {
    this.#checking ??= (async () => {
      try {
        const s = await this.#statfs(this.#dir);
        const free = Number(s.bavail) * Number(s.bsize);
        this.#lastFreeBytes = free;
        this.#bytesAtLastCheck = bytesWritten;
        const thresholdBytes = this.thresholdBytes;
        return { freeBytes: free, thresholdBytes, low: free < thresholdBytes };
      } finally {
        this.#checking = undefined;
      }
    })();
    return this.#checking;
  }
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
