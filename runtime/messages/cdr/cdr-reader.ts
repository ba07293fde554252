// Reads one XCDR1 little-endian message. The bytes are untrusted (files, peers): every length is checked against
// the bytes left before anything is allocated, so a corrupt length gives an error, never a hang or a huge array.
// Float64 and uint8 arrays come back as typed-array copies (one memcpy, independent of the input buffer).
import type { FieldPlan, NumericPrimitive, StructPlan } from './cdr-plan.js';
import { PRIMITIVE_SIZE, minElementBytes } from './cdr-plan.js';
import { HEADER_BYTES } from './cdr-writer.js';
import { readUtf8 } from './utf8.js';

/** A problem in the bytes; `segments` collects the field path on the way out (`.name`, `[2]`). */
export class CdrReadFailure {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

/** Alignment padding a writer may leave after the last field (Cyclone pads messages to 4 bytes). */
const MAX_TRAILING_BYTES = 3;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class CdrReader {
  readonly #plan: StructPlan;
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(this.#bytes.buffer);
  #pos = 0;
  #end = 0;

  constructor(plan: StructPlan) {
    this.#plan = plan;
  }

  /** Decodes `bytes` (encapsulation header included); throws CdrReadFailure. */
  read(bytes: Uint8Array): Record<string, unknown> {
    if (bytes.byteLength < HEADER_BYTES) {
      throw new CdrReadFailure(`${bytes.byteLength} bytes is too short for the 4-byte encapsulation header`);
    }
    const kind = (bytes[0] << 8) | bytes[1];
    if (kind !== 0x0001) {
      throw new CdrReadFailure(
        kind === 0x0000
          ? 'big-endian CDR (encapsulation 0x0000) is not supported'
          : `encapsulation kind 0x${kind.toString(16).padStart(4, '0')} is not supported; expected 0x0001 (CDR_LE)`,
      );
    }
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = HEADER_BYTES;
    this.#end = bytes.byteLength;
    try {
      const msg = this.#readStruct(this.#plan);
      const trailing = this.#end - this.#pos;
      if (trailing > MAX_TRAILING_BYTES) {
        throw new CdrReadFailure(`${trailing} bytes left over after the message (wrong type?)`);
      }
      return msg;
    } finally {
      // Do not keep a caller's (possibly large) buffer alive.
      this.#bytes = new Uint8Array(0);
      this.#view = new DataView(this.#bytes.buffer);
    }
  }

  #fail(reason: string): never {
    throw new CdrReadFailure(`${reason} (at byte ${this.#pos} of ${this.#end})`);
  }

  #need(n: number, what: string): void {
    if (n > this.#end - this.#pos) this.#fail(`${what} needs ${n} bytes, only ${this.#end - this.#pos} left`);
  }

  #align(alignment: number): void {
    const r = (this.#pos - HEADER_BYTES) % alignment;
    if (r !== 0) {
      this.#pos += alignment - r;
      if (this.#pos > this.#end) this.#fail('message ends inside alignment padding');
    }
  }

  #readStruct(plan: StructPlan): Record<string, unknown> {
    const msg: Record<string, unknown> = {};
    for (const f of plan.fields) {
      try {
        msg[f.name] = this.#readField(f);
      } catch (e) {
        if (e instanceof CdrReadFailure) e.segments.unshift(`.${f.name}`);
        throw e;
      }
    }
    return msg;
  }

  #readField(f: FieldPlan): unknown {
    if (f.arrayKind === 'none') return this.#readElement(f);
    let n: number;
    if (f.arrayKind === 'fixed') {
      n = f.fixedLength;
    } else {
      this.#align(4);
      this.#need(4, 'sequence length');
      n = this.#view.getUint32(this.#pos, true);
      this.#pos += 4;
      if (n > f.maxLength) this.#fail(`${f.rosType} holds at most ${f.maxLength} elements, length says ${n}`);
    }
    if (f.kind === 'primitive') return this.#readPrimitiveArray(f, n);
    // Strings and structs each take at least minElementBytes: a bound on n before any allocation.
    const least = Math.max(1, minElementBytes(f));
    if (n * least > this.#end - this.#pos) {
      this.#fail(`${n} elements of ${f.rosType} need at least ${n * least} bytes, only ${this.#end - this.#pos} left`);
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      try {
        out[i] = this.#readElement(f);
      } catch (e) {
        if (e instanceof CdrReadFailure) e.segments.unshift(`[${i}]`);
        throw e;
      }
    }
    return out;
  }

  #readPrimitiveArray(f: FieldPlan, n: number): unknown {
    const type = f.primitive!;
    const size = PRIMITIVE_SIZE[type];
    if (n > 0) this.#align(size);
    this.#need(n * size, `${n} elements of ${f.rosType}`);
    const start = this.#pos;
    if (f.typedArray === 'uint8') {
      this.#pos += n;
      // A plain Uint8Array copy: the caller may reuse its buffer, and a Buffer's slice would be a view.
      const out = new Uint8Array(n);
      out.set(this.#bytes.subarray(start, start + n));
      return out;
    }
    if (f.typedArray === 'float64') {
      // Copying bytes into a fresh Float64Array works whatever the input's alignment in memory.
      const out = new Float64Array(n);
      if (HOST_LITTLE_ENDIAN) {
        new Uint8Array(out.buffer).set(this.#bytes.subarray(start, start + n * 8));
      } else {
        for (let i = 0; i < n; i++) out[i] = this.#view.getFloat64(start + i * 8, true);
      }
      this.#pos += n * 8;
      return out;
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      try {
        out[i] = this.#readScalar(type);
      } catch (e) {
        if (e instanceof CdrReadFailure) e.segments.unshift(`[${i}]`);
        throw e;
      }
    }
    return out;
  }

  #readElement(f: FieldPlan): unknown {
    switch (f.kind) {
      case 'primitive': {
        const size = PRIMITIVE_SIZE[f.primitive!];
        this.#align(size);
        this.#need(size, f.primitive!);
        return this.#readScalar(f.primitive!);
      }
      case 'string':
        return this.#readString(f);
      case 'struct':
        return this.#readStruct(f.struct!);
    }
  }

  #readString(f: FieldPlan): string {
    this.#align(4);
    this.#need(4, 'string length');
    const length = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    // Some writers send an empty string as length 0 without the NUL.
    if (length === 0) return '';
    this.#need(length, `string of length ${length}`);
    const start = this.#pos;
    const end = start + length - 1;
    if (this.#bytes[end] !== 0) this.#fail(`string of length ${length} does not end with a NUL byte`);
    if (length - 1 > f.maxStringBytes) this.#fail(`${f.rosType} holds at most ${f.maxStringBytes} bytes, got ${length - 1}`);
    this.#pos = end + 1;
    return readUtf8(this.#bytes, start, end);
  }

  // The position is aligned and the bytes are there.
  #readScalar(type: NumericPrimitive): unknown {
    const view = this.#view;
    const pos = this.#pos;
    this.#pos = pos + PRIMITIVE_SIZE[type];
    switch (type) {
      case 'float64': return view.getFloat64(pos, true);
      case 'float32': return view.getFloat32(pos, true);
      case 'int32': return view.getInt32(pos, true);
      case 'uint32': return view.getUint32(pos, true);
      case 'int16': return view.getInt16(pos, true);
      case 'uint16': return view.getUint16(pos, true);
      case 'byte': case 'char': case 'uint8': return this.#bytes[pos];
      case 'int8': return view.getInt8(pos);
      case 'int64': return view.getBigInt64(pos, true);
      case 'uint64': return view.getBigUint64(pos, true);
      case 'bool': {
        const b = this.#bytes[pos];
        if (b > 1) {
          this.#pos = pos;
          this.#fail(`bool byte is ${b}, expected 0 or 1`);
        }
        return b === 1;
      }
    }
  }
}
