// Wraps the episode's file sink: counts the bytes that reached it (for the disk guard's estimate) and remembers
// the first write failure, telling a full disk (ENOSPC, EDQUOT) from other errors, so the recorder can end the
// episode with the right reason. It also lets the recorder release the file when the MCAP writer cannot finish
// (its close() writes the summary first, which fails again on a full disk).
import type { IAppendable } from './appendable.js';

export type SinkFailureKind = 'disk_full' | 'write_error';

export interface SinkFailure {
  kind: SinkFailureKind;
  message: string;
}

export class GuardedSink implements IAppendable {
  readonly #inner: IAppendable;
  #failure: SinkFailure | undefined;
  #closed = false;
  /** Bytes appended successfully. */
  bytesWritten = 0;

  constructor(inner: IAppendable) {
    this.#inner = inner;
  }

  get failure(): SinkFailure | undefined {
    return this.#failure;
  }

  append(data: Uint8Array): void {
    // After a failure the file may end in a torn record: appending more would bury it mid-file, where recovery
    // stops, so nothing more is written.
    if (this.#failure) throw new Error(`GuardedSink#append: an earlier write failed (${this.#failure.message})`);
    try {
      this.#inner.append(data);
      this.bytesWritten += data.byteLength;
    } catch (e) {
      this.#failure ??= classifyWriteError(e);
      throw e;
    }
  }

  position(): number {
    return this.#inner.position();
  }

  checkpoint(): void {
    try {
      this.#inner.checkpoint();
    } catch (e) {
      this.#failure ??= classifyWriteError(e);
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#inner.close();
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/** ENOSPC/EDQUOT anywhere in the error (FileAppendable wraps the fs error's message) means the disk is full. */
export function classifyWriteError(e: unknown): SinkFailure {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const full = err?.code === 'ENOSPC' || err?.code === 'EDQUOT' || /\b(ENOSPC|EDQUOT)\b/.test(message);
  return { kind: full ? 'disk_full' : 'write_error', message };
}
