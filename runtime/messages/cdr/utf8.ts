// UTF-8 helpers for CDR strings, whose length prefix counts UTF-8 bytes (plus the NUL), never UTF-16 units.
// Short ASCII strings (frame ids, joint names) take a plain loop: TextEncoder/TextDecoder calls cost more than the
// copy for them.

const encoder = new TextEncoder();
// Not fatal: ROS 2 does not enforce UTF-8, and one bad byte must not make a whole recording unreadable.
const decoder = new TextDecoder('utf-8');

const ASCII_LOOP_MAX = 64;

/** UTF-8 byte count of `s` as TextEncoder encodes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8ByteLength(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** Writes `s` (whose UTF-8 length is `byteLength`) at `pos`; the caller has checked there is room. */
export function writeUtf8(bytes: Uint8Array, pos: number, s: string, byteLength: number): void {
  if (byteLength === s.length && byteLength <= ASCII_LOOP_MAX) {
    for (let i = 0; i < byteLength; i++) bytes[pos + i] = s.charCodeAt(i);
    return;
  }
  const { written } = encoder.encodeInto(s, bytes.subarray(pos, pos + byteLength));
  if (written !== byteLength) {
    throw new Error(`writeUtf8: encoded ${written} bytes, expected ${byteLength}`);
  }
}

/** Decodes bytes [start, end) as UTF-8 (invalid sequences become U+FFFD). */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= ASCII_LOOP_MAX) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}
