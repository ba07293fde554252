// Sizes and writes one message as XCDR1 little-endian. Alignment is relative to the first byte after the 4-byte
// encapsulation header, padding is zeroed (so a reused buffer gives the same bytes as a fresh one), and empty
// sequences get no element alignment, as Fast-CDR and Cyclone DDS do.
// The checks here are the validator's predicates; on a mismatch the writer throws MISMATCH and the codec asks the
// validator for the field path, so the happy path never builds path strings.
import type { FieldPlan, NumericPrimitive, StructPlan } from './cdr-plan.js';
import { PRIMITIVE_SIZE } from './cdr-plan.js';
import { SCALAR_OK, isArrayLike, isStructValue } from './cdr-validate.js';
import { utf8ByteLength, writeUtf8 } from './utf8.js';

/** Thrown (never built) on a value that does not match its field; the codec turns it into a CdrError with a path. */
export const MISMATCH: unique symbol = Symbol('CdrWriter mismatch');

export const HEADER_BYTES = 4;

// Typed-array copies write host-order bytes, which are the wire's little-endian ones only on a little-endian host.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function pad(offset: number, alignment: number): number {
  const r = offset % alignment;
  return r === 0 ? 0 : alignment - r;
}

export class CdrWriter {
  readonly #plan: StructPlan;
  // UTF-8 lengths found by size(), used again by write(): strings are measured once per message.
  #stringLengths: number[] = [];
  #stringCount = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(this.#bytes.buffer);
  #pos = 0;

  constructor(plan: StructPlan) {
    this.#plan = plan;
  }

  /** Encoded size in bytes, header included. Throws MISMATCH on a value that does not fit its field. */
  size(msg: unknown): number {
    this.#stringCount = 0;
    return HEADER_BYTES + this.#sizeStruct(this.#plan, msg, 0);
  }

  /**
   * Writes `msg` into `bytes[0, size)`; `size` must come from the size() call just before, with the same message.
   * Throws MISMATCH on a bad scalar, leaving the bytes unspecified.
   */
  write(msg: unknown, bytes: Uint8Array, size: number): void {
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    bytes[0] = 0x00;
    bytes[1] = 0x01; // CDR_LE
    bytes[2] = 0x00;
    bytes[3] = 0x00;
    this.#pos = HEADER_BYTES;
    this.#stringCount = 0;
    this.#writeStruct(this.#plan, msg as Record<string, unknown>);
    if (this.#pos !== size) throw new Error(`CdrWriter#write: wrote ${this.#pos} bytes, size() said ${size}`);
  }

  #sizeStruct(plan: StructPlan, msg: unknown, offset: number): number {
    if (!isStructValue(msg)) throw MISMATCH;
    let o = offset;
    for (const f of plan.fields) o = this.#sizeField(f, msg[f.name], o);
    return o;
  }

  #sizeField(f: FieldPlan, v: unknown, offset: number): number {
    let o = offset;
    if (f.arrayKind === 'none') return this.#sizeElement(f, v, o);
    if (!isArrayLike(v)) throw MISMATCH;
    const n = v.length;
    if (f.arrayKind === 'fixed') {
      if (n !== f.fixedLength) throw MISMATCH;
    } else {
      if (n > f.maxLength) throw MISMATCH;
      o += pad(o, 4) + 4;
    }
    if (n === 0) return o;
    if (f.kind === 'primitive') {
      const size = PRIMITIVE_SIZE[f.primitive!];
      return o + pad(o, size) + n * size;
    }
    for (let i = 0; i < n; i++) o = this.#sizeElement(f, v[i], o);
    return o;
  }

  #sizeElement(f: FieldPlan, v: unknown, offset: number): number {
    switch (f.kind) {
      case 'primitive': {
        const size = PRIMITIVE_SIZE[f.primitive!];
        return offset + pad(offset, size) + size;
      }
      case 'string': {
        if (typeof v !== 'string') throw MISMATCH;
        const length = utf8ByteLength(v);
        if (length > f.maxStringBytes) throw MISMATCH;
        this.#stringLengths[this.#stringCount++] = length;
        return offset + pad(offset, 4) + 4 + length + 1;
      }
      case 'struct':
        return this.#sizeStruct(f.struct!, v, offset);
    }
  }

  #align(alignment: number): void {
    const n = pad(this.#pos - HEADER_BYTES, alignment);
    for (let i = 0; i < n; i++) this.#bytes[this.#pos++] = 0;
  }

  #writeStruct(plan: StructPlan, msg: Record<string, unknown>): void {
    for (const f of plan.fields) this.#writeField(f, msg[f.name]);
  }

  #writeField(f: FieldPlan, v: unknown): void {
    if (f.arrayKind === 'none') {
      this.#writeElement(f, v);
      return;
    }
    const array = v as ArrayLike<unknown>;
    const n = array.length;
    if (f.arrayKind !== 'fixed') {
      this.#align(4);
      this.#view.setUint32(this.#pos, n, true);
      this.#pos += 4;
    }
    if (n === 0) return;
    if (f.kind !== 'primitive') {
      for (let i = 0; i < n; i++) this.#writeElement(f, array[i]);
      return;
    }
    const type = f.primitive!;
    this.#align(PRIMITIVE_SIZE[type]);
    if (f.typedArray === 'float64' && v instanceof Float64Array && HOST_LITTLE_ENDIAN) {
      this.#bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), this.#pos);
      this.#pos += v.byteLength;
    } else if (f.typedArray === 'uint8' && v instanceof Uint8Array) {
      this.#bytes.set(v, this.#pos);
      this.#pos += n;
    } else {
      const ok = SCALAR_OK[type];
      for (let i = 0; i < n; i++) {
        const x = array[i];
        if (!ok(x)) throw MISMATCH;
        this.#writeScalar(type, x);
      }
    }
  }

  #writeElement(f: FieldPlan, v: unknown): void {
    switch (f.kind) {
      case 'primitive': {
        const type = f.primitive!;
        if (!SCALAR_OK[type](v)) throw MISMATCH;
        this.#align(PRIMITIVE_SIZE[type]);
        this.#writeScalar(type, v);
        return;
      }
      case 'string': {
        const length = this.#stringLengths[this.#stringCount++];
        this.#align(4);
        this.#view.setUint32(this.#pos, length + 1, true);
        this.#pos += 4;
        writeUtf8(this.#bytes, this.#pos, v as string, length);
        this.#pos += length;
        this.#bytes[this.#pos++] = 0;
        return;
      }
      case 'struct':
        this.#writeStruct(f.struct!, v as Record<string, unknown>);
        return;
    }
  }

  // The value has passed SCALAR_OK[type] and the position is aligned.
  #writeScalar(type: NumericPrimitive, v: unknown): void {
    const view = this.#view;
    const pos = this.#pos;
    switch (type) {
      case 'float64': view.setFloat64(pos, v as number, true); break;
      case 'float32': view.setFloat32(pos, v as number, true); break;
      case 'int32': view.setInt32(pos, v as number, true); break;
      case 'uint32': view.setUint32(pos, v as number, true); break;
      case 'int16': view.setInt16(pos, v as number, true); break;
      case 'uint16': view.setUint16(pos, v as number, true); break;
      case 'bool': this.#bytes[pos] = v ? 1 : 0; break;
      case 'byte': case 'char': case 'uint8': this.#bytes[pos] = v as number; break;
      case 'int8': view.setInt8(pos, v as number); break;
      case 'int64': view.setBigInt64(pos, typeof v === 'bigint' ? v : BigInt(v as number), true); break;
      case 'uint64': view.setBigUint64(pos, typeof v === 'bigint' ? v : BigInt(v as number), true); break;
    }
    this.#pos = pos + PRIMITIVE_SIZE[type];
  }
}
