// Zero-valued messages built from the descriptors, with .msg defaults applied (Quaternion.w = 1).
import type { FieldDescriptor, FieldType } from './descriptor.js';
import type { MessageTypeMap } from './registry.js';
import { messageDescriptor } from './registry.js';

/** A fresh zero-valued message: numbers 0, bigints 0n, '' strings, empty sequences, fixed arrays filled. */
export function defaultMessage<K extends keyof MessageTypeMap>(typeName: K): MessageTypeMap[K];
export function defaultMessage(typeName: string): Record<string, unknown>;
export function defaultMessage(typeName: string): Record<string, unknown> {
  const descriptor = messageDescriptor(typeName);
  const message: Record<string, unknown> = {};
  for (const f of descriptor.fields) message[f.name] = defaultFieldValue(f);
  return message;
}

function defaultFieldValue(f: FieldDescriptor): unknown {
  switch (f.arrayKind) {
    case 'none':
      return f.defaultValue ?? defaultScalar(f.type);
    case 'sequence':
    case 'bounded':
      return f.type === 'uint8' || f.type === 'byte' ? new Uint8Array(0) : [];
    case 'fixed': {
      const length = f.arrayLength ?? 0;
      if (f.type === 'uint8' || f.type === 'byte') return new Uint8Array(length);
      return Array.from({ length }, () => defaultScalar(f.type));
    }
  }
}

function defaultScalar(type: FieldType): unknown {
  switch (type) {
    case 'bool':
      return false;
    case 'int64':
    case 'uint64':
      return 0n;
    case 'string':
    case 'wstring':
      return '';
    case 'byte': case 'char': case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32':
    case 'float32': case 'float64':
      return 0;
    default:
      return defaultMessage(type);
  }
}
