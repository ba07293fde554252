// Compiles message descriptors into the flat plan the CDR writer, reader and validator walk: nested types resolved
// once (no registry look-ups per message), wire sizes and alignments looked up once, fast paths chosen once.
import type { FieldDescriptor, MessageDescriptor, PrimitiveType } from '../descriptor.js';
import { CdrError } from './cdr-error.js';

/** Primitives with a fixed wire size (everything but strings). */
export type NumericPrimitive = Exclude<PrimitiveType, 'string' | 'wstring'>;

/** Wire size in bytes; in XCDR1 the alignment equals the size (float64 and int64 align to 8). */
export const PRIMITIVE_SIZE: Readonly<Record<NumericPrimitive, number>> = Object.freeze({
  bool: 1, byte: 1, char: 1, int8: 1, uint8: 1,
  int16: 2, uint16: 2,
  int32: 4, uint32: 4, float32: 4,
  int64: 8, uint64: 8, float64: 8,
});

export type FieldKind = 'primitive' | 'string' | 'struct';

export interface FieldPlan {
  readonly name: string;
  readonly kind: FieldKind;
  /** For `primitive` fields. */
  readonly primitive: NumericPrimitive | undefined;
  /** For `struct` fields; filled in after every plan exists, so nested references resolve. */
  struct: StructPlan | undefined;
  readonly arrayKind: FieldDescriptor['arrayKind'];
  /** Element count of a fixed array. */
  readonly fixedLength: number;
  /** Largest element count of a bounded sequence (Infinity when unbounded). */
  readonly maxLength: number;
  /** Largest UTF-8 byte count of a bounded string, NUL excluded (Infinity when unbounded). */
  readonly maxStringBytes: number;
  /** Arrays read back as typed arrays and written with one copy: float64 -> Float64Array, uint8/byte -> Uint8Array. */
  readonly typedArray: 'float64' | 'uint8' | undefined;
  /** The ROS type as written in a .msg file, for error messages: `float64[]`, `string<=10`. */
  readonly rosType: string;
}

export interface StructPlan {
  readonly typeName: string;
  /** `JointState` from `sensor_msgs/msg/JointState`: the first segment of field paths in errors. */
  readonly shortName: string;
  readonly fields: readonly FieldPlan[];
  /** A lower bound of the wire size of one value; guards sequence lengths read from untrusted bytes. */
  minWireBytes: number;
}

export type DescriptorResolver = (typeName: string) => MessageDescriptor;

/** Builds the plan of `typeName` and every type it nests, resolving each descriptor through `resolve`. */
export function compileStructPlan(typeName: string, resolve: DescriptorResolver): StructPlan {
  const plans = new Map<string, StructPlan>();
  const root = planFor(typeName, resolve, plans, []);
  return root;
}

function planFor(typeName: string, resolve: DescriptorResolver, plans: Map<string, StructPlan>, stack: string[]): StructPlan {
  const known = plans.get(typeName);
  if (known !== undefined) return known;
  if (stack.includes(typeName)) {
    throw new CdrError(`createCdrCodec: ${typeName} contains itself (${[...stack, typeName].join(' -> ')})`);
  }
  const descriptor = resolve(typeName);
  const fields = descriptor.fields.map((f) => fieldPlan(descriptor.typeName, f));
  const plan: StructPlan = {
    typeName: descriptor.typeName,
    shortName: descriptor.typeName.slice(descriptor.typeName.lastIndexOf('/') + 1),
    fields,
    minWireBytes: 0,
  };
  stack.push(typeName);
  for (const [i, f] of fields.entries()) {
    if (f.kind === 'struct') f.struct = planFor(descriptor.fields[i].type, resolve, plans, stack);
  }
  stack.pop();
  plan.minWireBytes = fields.reduce((sum, f) => sum + minFieldBytes(f), 0);
  plans.set(typeName, plan);
  return plan;
}

function fieldPlan(owner: string, f: FieldDescriptor): FieldPlan {
  if (f.type === 'wstring') {
    // rmw_fastrtps writes 4-byte wchar_t units and rmw_cyclonedds 2-byte UTF-16 ones: there is no one right answer.
    throw new CdrError(`createCdrCodec: ${owner}.${f.name} is a wstring, which the CDR codec does not support`);
  }
  const kind: FieldKind = f.isComplex ? 'struct' : f.type === 'string' ? 'string' : 'primitive';
  const primitive = kind === 'primitive' ? (f.type as NumericPrimitive) : undefined;
  if (primitive !== undefined && !(primitive in PRIMITIVE_SIZE)) {
    throw new CdrError(`createCdrCodec: ${owner}.${f.name} has unknown primitive type ${f.type}`);
  }
  const fixedLength = f.arrayKind === 'fixed' ? checkCount(owner, f, f.arrayLength) : 0;
  const maxLength = f.arrayKind === 'bounded' ? checkCount(owner, f, f.arrayBound) : Infinity;
  const typedArray =
    f.arrayKind === 'none' ? undefined
      : primitive === 'float64' ? 'float64'
        : primitive === 'uint8' || primitive === 'byte' ? 'uint8'
          : undefined;
  return {
    name: f.name,
    kind,
    primitive,
    struct: undefined,
    arrayKind: f.arrayKind,
    fixedLength,
    maxLength,
    maxStringBytes: f.stringBound ?? Infinity,
    typedArray,
    rosType: rosTypeOf(f),
  };
}

function checkCount(owner: string, f: FieldDescriptor, n: number | undefined): number {
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    throw new CdrError(`createCdrCodec: ${owner}.${f.name} is a ${f.arrayKind} array without a valid length (${n})`);
  }
  return n;
}

function rosTypeOf(f: FieldDescriptor): string {
  let type = f.type.replace('/msg/', '/');
  if (f.stringBound !== undefined) type += `<=${f.stringBound}`;
  switch (f.arrayKind) {
    case 'none': return type;
    case 'sequence': return `${type}[]`;
    case 'fixed': return `${type}[${f.arrayLength}]`;
    case 'bounded': return `${type}[<=${f.arrayBound}]`;
  }
}

/** Smallest wire size of one element (no alignment): a string is at least its 4-byte length. */
export function minElementBytes(f: FieldPlan): number {
  switch (f.kind) {
    case 'primitive': return PRIMITIVE_SIZE[f.primitive!];
    case 'string': return 4;
    case 'struct': return f.struct!.minWireBytes;
  }
}

function minFieldBytes(f: FieldPlan): number {
  switch (f.arrayKind) {
    case 'none': return minElementBytes(f);
    case 'fixed': return f.fixedLength * minElementBytes(f);
    case 'sequence':
    case 'bounded':
      return 4;
  }
}
