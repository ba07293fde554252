// Where an MCAP writer's bytes go: an append-only sink, two methods plus a durability hint, in the spirit of
// @mcap/core's IWritable but synchronous, so a record is handed to the OS before write() returns.

export interface IAppendable {
  /** Appends every byte of `data` (copying it: the caller reuses its buffers); throws on failure. */
  append(data: Uint8Array): void;
  /** Bytes appended so far: the file offset the next append lands at. */
  position(): number;
  /**
   * A good moment for durability (a chunk just closed). A file sink may fsync here, but at most every
   * `syncIntervalMs`, and without blocking the caller.
   */
  checkpoint(): void;
  /** Makes everything durable and releases the sink. Further appends throw. */
  close(): Promise<void>;
}

/** In-memory sink: the test fake, and the output of in-memory recovery. */
export class MemoryAppendable implements IAppendable {
  #buffer = new Uint8Array(4096);
  #length = 0;
  #closed = false;
  /** How many checkpoints the writer asked for. */
  checkpoints = 0;

  append(data: Uint8Array): void {
    if (this.#closed) throw new Error('MemoryAppendable#append: closed');
    if (this.#length + data.byteLength > this.#buffer.byteLength) {
      const grown = new Uint8Array(Math.max(this.#buffer.byteLength * 2, this.#length + data.byteLength));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(data, this.#length);
    this.#length += data.byteLength;
  }

  position(): number {
    return this.#length;
  }

  checkpoint(): void {
    this.checkpoints++;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** A copy of everything appended so far. */
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}
