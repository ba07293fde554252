// Random-access reads of a recording, for @mcap/core's McapIndexedReader (IReadable) and for the record scanner.
// Every read is checked against the file size, so a corrupt offset gives an error instead of a short read or a
// huge allocation.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { IRandomReader } from './random-reader.js';

/** Larger reads are refused: no summary or chunk of a sane recording comes near it. */
export const MAX_READ_BYTES = 1024 * 1024 * 1024;

export class FileReadable implements IRandomReader {
  readonly path: string;
  readonly byteLength: number;
  readonly #fd: number;
  #closed = false;

  private constructor(path: string, fd: number, byteLength: number) {
    this.path = path;
    this.#fd = fd;
    this.byteLength = byteLength;
  }

  /** Opens `path`; throws the fs error (ENOENT, EISDIR, ...) for the caller to word. */
  static open(path: string): FileReadable {
    const fd = openSync(path, 'r');
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
      return new FileReadable(path, fd, stat.size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  async size(): Promise<bigint> {
    return BigInt(this.byteLength);
  }

  async read(offset: bigint, length: bigint): Promise<Uint8Array> {
    if (offset < 0n || length < 0n || offset + length > BigInt(this.byteLength)) {
      throw new Error(`FileReadable#read: ${length} bytes at offset ${offset} run past the end of ${this.path} (${this.byteLength} bytes)`);
    }
    return this.readSync(Number(offset), Number(length));
  }

  /** Exactly `length` bytes at `offset`; throws if they are not all there. */
  readSync(offset: number, length: number): Uint8Array {
    if (this.#closed) throw new Error(`FileReadable#readSync: ${this.path} is closed`);
    if (offset < 0 || length < 0 || offset + length > this.byteLength) {
      throw new Error(`FileReadable#readSync: ${length} bytes at offset ${offset} run past the end of ${this.path} (${this.byteLength} bytes)`);
    }
    if (length > MAX_READ_BYTES) {
      throw new Error(`FileReadable#readSync: refusing to read ${length} bytes at once from ${this.path}`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.#fd, out, done, length - done, offset + done);
      if (n === 0) throw new Error(`FileReadable#readSync: ${this.path} ended early (it shrank while being read?)`);
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}
