// Runtime descriptors of ROS 2 messages: the single source a CDR codec, the MCAP `ros2msg` schema text and the
// default-message builder are driven from. Field order is wire order, so it must match the official .msg files
// exactly (messages.test.ts checks it against @foxglove/rosmsg-msgs-common).

export type PrimitiveType =
  | 'bool' | 'byte' | 'char'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float32' | 'float64'
  | 'string' | 'wstring';

/** A complex (nested message) type, always in its full form `pkg/msg/Name`. */
export type ComplexTypeName = `${string}/msg/${string}`;

export type FieldType = PrimitiveType | ComplexTypeName;

/** `none`: a single value; `sequence`: T[]; `fixed`: T[N] (arrayLength); `bounded`: T[<=N] (arrayBound). */
export type ArrayKind = 'none' | 'sequence' | 'fixed' | 'bounded';

export type ConstantValue = boolean | number | bigint | string;

export interface FieldDescriptor {
  readonly name: string;
  readonly type: FieldType;
  readonly isComplex: boolean;
  readonly arrayKind: ArrayKind;
  /** Element count of a `fixed` array. */
  readonly arrayLength?: number;
  /** Upper bound of a `bounded` sequence. */
  readonly arrayBound?: number;
  /** Upper bound of a `string<=N` / `wstring<=N`. */
  readonly stringBound?: number;
  /** Default from the .msg file (`float64 w 1`), used by defaultMessage; primitives only. */
  readonly defaultValue?: ConstantValue;
}

export interface ConstantDescriptor {
  readonly name: string;
  readonly type: PrimitiveType;
  readonly value: ConstantValue;
}

export interface MessageDescriptor {
  /** Full ROS 2 type name, e.g. `sensor_msgs/msg/JointState`. */
  readonly typeName: ComplexTypeName;
  readonly fields: readonly FieldDescriptor[];
  readonly constants: readonly ConstantDescriptor[];
}

export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set<PrimitiveType>([
  'bool', 'byte', 'char', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
  'float32', 'float64', 'string', 'wstring',
]);

export function isPrimitiveType(type: string): type is PrimitiveType {
  return PRIMITIVE_TYPES.has(type);
}

// Builders. `const` type parameters keep names and types literal, so the TS interfaces can be checked against
// the descriptors at compile time (see descriptor-checks.ts).

interface FieldOptions {
  defaultValue?: ConstantValue;
  stringBound?: number;
}

type Field<N extends string, T extends FieldType, A extends ArrayKind> = FieldDescriptor & {
  readonly name: N;
  readonly type: T;
  readonly arrayKind: A;
};

function makeField<const N extends string, const T extends FieldType, const A extends ArrayKind>(
  name: N,
  type: T,
  arrayKind: A,
  extra: Partial<FieldDescriptor>,
): Field<N, T, A> {
  const descriptor: FieldDescriptor = { name, type, isComplex: !isPrimitiveType(type), arrayKind, ...extra };
  return Object.freeze(descriptor) as Field<N, T, A>;
}

/** A single value: `float64 x`. */
export function field<const N extends string, const T extends FieldType>(
  name: N,
  type: T,
  options: FieldOptions = {},
): Field<N, T, 'none'> {
  return makeField(name, type, 'none', options);
}

/** An unbounded sequence: `float64[] position`. */
export function sequence<const N extends string, const T extends FieldType>(name: N, type: T): Field<N, T, 'sequence'> {
  return makeField(name, type, 'sequence', {});
}

/** A fixed-size array: `float64[9] k`. */
export function fixedArray<const N extends string, const T extends FieldType>(
  name: N,
  type: T,
  length: number,
): Field<N, T, 'fixed'> {
  return makeField(name, type, 'fixed', { arrayLength: length });
}

/** A bounded sequence: `int32[<=3] values`. */
export function boundedSequence<const N extends string, const T extends FieldType>(
  name: N,
  type: T,
  bound: number,
): Field<N, T, 'bounded'> {
  return makeField(name, type, 'bounded', { arrayBound: bound });
}

export function constant(name: string, type: PrimitiveType, value: ConstantValue): ConstantDescriptor {
  return Object.freeze({ name, type, value });
}

export function defineMessage<const T extends ComplexTypeName, const F extends readonly FieldDescriptor[]>(
  typeName: T,
  fields: F,
  constants: readonly ConstantDescriptor[] = [],
): MessageDescriptor & { readonly typeName: T; readonly fields: F } {
  return Object.freeze({ typeName, fields: Object.freeze(fields), constants: Object.freeze(constants) });
}

/** `sensor_msgs/msg/JointState` -> `sensor_msgs/JointState` (the form .msg files and `MSG:` lines use). */
export function shortTypeName(typeName: string): string {
  return typeName.replace('/msg/', '/');
}

/** `sensor_msgs/JointState` or `sensor_msgs/msg/JointState` -> `sensor_msgs/msg/JointState`. */
export function fullTypeName(typeName: string): string {
  const parts = typeName.split('/');
  return parts.length === 2 ? `${parts[0]}/msg/${parts[1]}` : typeName;
}
