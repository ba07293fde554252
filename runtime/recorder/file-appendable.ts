// An append-only file for the MCAP writer. Appends are fs.writeSync: once append() returns, the bytes are in the
// OS page cache and survive a kill -9 of this process. Against power loss, checkpoint() starts an fdatasync on the
// libuv thread pool at most every syncIntervalMs, so the loop never waits on the disk.
import { close, closeSync, fdatasync, fsync, open, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IAppendable } from './appendable.js';

export interface FileAppendableOptions {
  /** Least time between two fdatasyncs; the data appended since the last one is what power loss can take. */
  syncIntervalMs?: number;
  /** Replace an existing file; by default an existing file is an error, so no recording is ever clobbered. */
  overwrite?: boolean;
  /** Clock for the sync policy; performance.now by default. */
  nowMs?: () => number;
}

export class FileAppendable implements IAppendable {
  readonly path: string;
  readonly #fd: number;
  readonly #syncIntervalMs: number;
  readonly #nowMs: () => number;
  #position = 0;
  #dirty = false;
  #lastSyncMs: number;
  #syncing: Promise<void> | undefined;
  #syncError: Error | undefined;
  #closed = false;

  private constructor(path: string, fd: number, options: FileAppendableOptions) {
    this.path = path;
    this.#fd = fd;
    this.#syncIntervalMs = options.syncIntervalMs ?? 500;
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#lastSyncMs = this.#nowMs();
  }

  /** Creates the file (and makes its directory entry durable in the background). */
  static create(path: string, options: FileAppendableOptions = {}): FileAppendable {
    let fd: number;
    try {
      fd = openSync(path, options.overwrite === true ? 'w' : 'wx');
    } catch (e) {
      throw new Error(`FileAppendable.create: cannot create ${path}: ${(e as Error).message}`);
    }
    syncDirectory(dirname(path));
    return new FileAppendable(path, fd, options);
  }

  append(data: Uint8Array): void {
    if (this.#closed) throw new Error(`FileAppendable#append: ${this.path} is closed`);
    let offset = 0;
    try {
      while (offset < data.byteLength) offset += writeSync(this.#fd, data, offset, data.byteLength - offset);
    } catch (e) {
      throw new Error(`FileAppendable#append: writing ${this.path} failed: ${(e as Error).message}`);
    }
    this.#position += data.byteLength;
    this.#dirty = true;
  }

  position(): number {
    return this.#position;
  }

  checkpoint(): void {
    if (this.#syncError !== undefined) {
      throw new Error(`FileAppendable#checkpoint: fdatasync of ${this.path} failed: ${this.#syncError.message}`);
    }
    if (this.#closed || !this.#dirty || this.#syncing !== undefined) return;
    const now = this.#nowMs();
    if (now - this.#lastSyncMs < this.#syncIntervalMs) return;
    this.#lastSyncMs = now;
    this.#dirty = false;
    this.#syncing = new Promise<void>((resolve) => {
      fdatasync(this.#fd, (err) => {
        if (err) this.#syncError = err;
        this.#syncing = undefined;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#syncing;
    const error = await new Promise<Error | null>((resolve) => fdatasync(this.#fd, resolve));
    closeSync(this.#fd);
    const failure = this.#syncError ?? error ?? undefined;
    if (failure !== undefined) throw new Error(`FileAppendable#close: fdatasync of ${this.path} failed: ${failure.message}`);
  }
}

// A new file's name lives in its directory: without this, power loss can lose the whole file. Best effort: some
// filesystems refuse fsync on a directory.
function syncDirectory(dir: string): void {
  open(dir, 'r', (err, fd) => {
    if (err) return;
    fsync(fd, () => close(fd, () => undefined));
  });
}
