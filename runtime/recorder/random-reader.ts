// Synchronous random-access reads of a whole recording: what the record scanner and recovery need. FileReadable
// is the real one; MemoryRandomReader serves tests and in-memory recovery. Both also implement @mcap/core's
// IReadable, so McapIndexedReader can use them.
import type { IReadable } from '@mcap/core';

export interface IRandomReader extends IReadable {
  readonly byteLength: number;
  /** Exactly `length` bytes at `offset`; throws when they are not all there. */
  readSync(offset: number, length: number): Uint8Array;
}

export class MemoryRandomReader implements IRandomReader {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get byteLength(): number {
    return this.#bytes.byteLength;
  }

  readSync(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.#bytes.byteLength) {
      throw new Error(`MemoryRandomReader#readSync: ${length} bytes at offset ${offset} run past the end (${this.#bytes.byteLength} bytes)`);
    }
    // A plain copy, also when the bytes are a Buffer (whose slice would be a view).
    const out = new Uint8Array(length);
    out.set(this.#bytes.subarray(offset, offset + length));
    return out;
  }

  async size(): Promise<bigint> {
    return BigInt(this.#bytes.byteLength);
  }

  async read(offset: bigint, length: bigint): Promise<Uint8Array> {
    if (offset < 0n || length < 0n || offset + length > BigInt(this.#bytes.byteLength)) {
      throw new Error(`MemoryRandomReader#read: ${length} bytes at offset ${offset} run past the end (${this.#bytes.byteLength} bytes)`);
    }
    return this.readSync(Number(offset), Number(length));
  }
}
