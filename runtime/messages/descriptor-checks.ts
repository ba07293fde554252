// Compile-time only: derives a TS type from each descriptor and requires it to match the hand-written interface
// in both directions. A field renamed, added, dropped or retyped on one side and not the other fails `tsc` with
// the message type's name in the error. Nothing here runs.
import type { FieldDescriptor, MessageDescriptor } from './descriptor.js';
import type { MESSAGE_DESCRIPTORS, MessageTypeMap } from './registry.js';

type ScalarOf<T> = T extends 'bool'
  ? boolean
  : T extends 'int64' | 'uint64'
    ? bigint
    : T extends 'string' | 'wstring'
      ? string
      : T extends 'byte' | 'char' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64'
        ? number
        : T extends keyof MessageTypeMap
          ? MessageTypeMap[T]
          : never;

// float64 arrays may be typed arrays (zero-copy from the loop); byte data is always a Uint8Array.
type ArrayOf<T> = T extends 'float64'
  ? number[] | Float64Array
  : T extends 'uint8' | 'byte'
    ? Uint8Array
    : ScalarOf<T>[];

type FieldValue<F extends FieldDescriptor> = F['arrayKind'] extends 'none' ? ScalarOf<F['type']> : ArrayOf<F['type']>;

/** The TS message type a descriptor describes. */
export type MessageFromDescriptor<D extends MessageDescriptor> = {
  [F in D['fields'][number] as F['name']]: FieldValue<F>;
};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type Agreement = {
  [K in keyof MessageTypeMap]: Same<MessageTypeMap[K], MessageFromDescriptor<(typeof MESSAGE_DESCRIPTORS)[K]>>;
};

type AssertAgreement<T extends Agreement> = T;

/**
 * If this line fails to compile, the error says "Types of property '<type name>' are incompatible": that message
 * type's interface and descriptor disagree.
 */
export type InterfacesMatchDescriptors = AssertAgreement<{ [K in keyof MessageTypeMap]: true }>;
