// Walks the top-level record framing of an MCAP file (opcode u8, content length u64, content) without trusting it:
// a length that runs past the end means the file was cut there, and no record larger than maxRecordBytes is read.
// The contents are parsed elsewhere (by @mcap/core's McapStreamReader).
import { MCAP_MAGIC, Opcode } from '@mcap/core';
import type { IRandomReader } from './random-reader.js';

export const RECORD_HEADER_BYTES = 9;

export interface RawRecord {
  readonly opcode: number;
  /** File offset of the opcode byte. */
  readonly offset: number;
  /** The whole record: opcode, length and content. */
  readonly bytes: Uint8Array;
}

/** Why the scan stopped, and where the bytes it could not use begin. */
export type ScanEnd =
  | { readonly kind: 'footer'; readonly offset: number }
  | { readonly kind: 'eof'; readonly offset: number }
  | { readonly kind: 'truncated'; readonly offset: number; readonly opcode: number | undefined; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly opcode: number; readonly reason: string };

export function hasMagicAt(file: IRandomReader, offset: number): boolean {
  if (offset < 0 || offset + MCAP_MAGIC.length > file.byteLength) return false;
  const bytes = file.readSync(offset, MCAP_MAGIC.length);
  return MCAP_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Yields each complete top-level record from `start` (just after the leading magic) up to the Footer, the end of
 * the file, or the first record that cannot be framed; returns how the scan ended.
 */
export function* scanRecords(
  file: IRandomReader,
  start: number,
  maxRecordBytes: number,
): Generator<RawRecord, ScanEnd, void> {
  let offset = start;
  for (;;) {
    const left = file.byteLength - offset;
    if (left === 0) return { kind: 'eof', offset };
    if (left < RECORD_HEADER_BYTES) {
      const opcode = file.readSync(offset, 1)[0];
      return { kind: 'truncated', offset, opcode, reason: `${left} bytes at the end are too few for a record header` };
    }
    const head = file.readSync(offset, RECORD_HEADER_BYTES);
    const opcode = head[0];
    const length = new DataView(head.buffer).getBigUint64(1, true);
    if (opcode === 0) {
      return { kind: 'corrupt', offset, opcode, reason: 'opcode 0x00 is not a valid MCAP record' };
    }
    if (length > BigInt(left - RECORD_HEADER_BYTES)) {
      return {
        kind: 'truncated', offset, opcode,
        reason: `record 0x${opcode.toString(16)} claims ${length} bytes, only ${left - RECORD_HEADER_BYTES} are left`,
      };
    }
    const total = RECORD_HEADER_BYTES + Number(length);
    if (total > maxRecordBytes) {
      return { kind: 'corrupt', offset, opcode, reason: `record 0x${opcode.toString(16)} of ${total} bytes is larger than ${maxRecordBytes}` };
    }
    if (opcode === Opcode.FOOTER) return { kind: 'footer', offset };
    yield { opcode, offset, bytes: file.readSync(offset, total) };
    offset += total;
  }
}
