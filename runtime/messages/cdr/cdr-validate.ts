// Checks a message object against its type and names the field path of each problem
// (`JointState.position[3]: expected number, got string`). The writer uses the same predicates inline, so whatever
// the validator accepts the writer writes, and whatever the writer refuses the validator can explain.
import type { FieldPlan, NumericPrimitive, StructPlan } from './cdr-plan.js';
import { utf8ByteLength } from './utf8.js';

type Predicate = (v: unknown) => boolean;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// Integer checks by bit tricks: `(v | 0) === v` is false for fractions and out-of-range numbers. The typeof test
// comes first because bit operators throw on a bigint.
const isNumber = (v: unknown): v is number => typeof v === 'number';
export const SCALAR_OK: Readonly<Record<NumericPrimitive, Predicate>> = Object.freeze({
  bool: (v) => typeof v === 'boolean',
  byte: (v) => isNumber(v) && (v & 0xff) === v,
  char: (v) => isNumber(v) && (v & 0xff) === v,
  uint8: (v) => isNumber(v) && (v & 0xff) === v,
  int8: (v) => isNumber(v) && ((v << 24) >> 24) === v,
  int16: (v) => isNumber(v) && ((v << 16) >> 16) === v,
  uint16: (v) => isNumber(v) && (v & 0xffff) === v,
  int32: (v) => isNumber(v) && (v | 0) === v,
  uint32: (v) => isNumber(v) && v >>> 0 === v,
  float32: (v) => typeof v === 'number',
  float64: (v) => typeof v === 'number',
  // 64-bit integers are bigint; safe-integer numbers are accepted too, since that is what JSON gives.
  int64: (v) =>
    typeof v === 'bigint' ? v >= INT64_MIN && v <= INT64_MAX : Number.isSafeInteger(v),
  uint64: (v) =>
    typeof v === 'bigint' ? v >= 0n && v <= UINT64_MAX : Number.isSafeInteger(v) && (v as number) >= 0,
});

const EXPECTED: Readonly<Record<NumericPrimitive, string>> = Object.freeze({
  bool: 'boolean',
  byte: 'byte (integer 0..255)',
  char: 'char (integer 0..255)',
  uint8: 'uint8 (integer 0..255)',
  int8: 'int8 (integer -128..127)',
  int16: 'int16 (integer -32768..32767)',
  uint16: 'uint16 (integer 0..65535)',
  int32: 'int32 (integer -2^31..2^31-1)',
  uint32: 'uint32 (integer 0..2^32-1)',
  float32: 'number',
  float64: 'number',
  int64: 'int64 (bigint or safe integer)',
  uint64: 'uint64 (bigint or safe integer >= 0)',
});

/** `got string`, `got 3.5`, `got undefined`, `got an array`: what a person needs to spot the mistake. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  switch (typeof v) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'string':
      return 'string';
    default:
      return typeof v;
  }
}

export function scalarProblem(type: NumericPrimitive, v: unknown): string | undefined {
  if (SCALAR_OK[type](v)) return undefined;
  // Name the JS type for non-numbers, the value for numbers out of range.
  const got = typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'string' ? 'string' : describeValue(v);
  return `expected ${EXPECTED[type]}, got ${got}`;
}

/** Arrays a field accepts: plain arrays and typed arrays (not DataView). */
export function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

export function isStructValue(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Every problem of `msg` against `plan`, each as `Path.to.field[i]: what is wrong`, at most `limit` of them. */
export function validateStruct(plan: StructPlan, msg: unknown, limit = 20): string[] {
  const problems: string[] = [];
  checkStruct(plan, msg, plan.shortName, problems, limit);
  return problems;
}

function checkStruct(plan: StructPlan, v: unknown, path: string, out: string[], limit: number): void {
  if (!isStructValue(v)) {
    out.push(`${path}: expected ${plan.typeName.replace('/msg/', '/')}, got ${describeValue(v)}`);
    return;
  }
  for (const f of plan.fields) {
    if (out.length >= limit) return;
    checkField(f, v[f.name], `${path}.${f.name}`, out, limit);
  }
}

function checkField(f: FieldPlan, v: unknown, path: string, out: string[], limit: number): void {
  if (f.arrayKind === 'none') {
    checkElement(f, v, path, out, limit);
    return;
  }
  if (!isArrayLike(v)) {
    out.push(`${path}: expected ${f.rosType} (an array${f.typedArray === 'uint8' ? ' or Uint8Array' : ''}), got ${describeValue(v)}`);
    return;
  }
  if (f.arrayKind === 'fixed' && v.length !== f.fixedLength) {
    out.push(`${path}: ${f.rosType} needs exactly ${f.fixedLength} elements, got ${v.length}`);
    return;
  }
  if (f.arrayKind === 'bounded' && v.length > f.maxLength) {
    out.push(`${path}: ${f.rosType} holds at most ${f.maxLength} elements, got ${v.length}`);
    return;
  }
  // Typed arrays of the field's own kind cannot hold a wrong value.
  if (f.typedArray === 'float64' && (v instanceof Float64Array || v instanceof Float32Array)) return;
  if (f.typedArray === 'uint8' && (v instanceof Uint8Array || v instanceof Uint8ClampedArray)) return;
  for (let i = 0; i < v.length && out.length < limit; i++) checkElement(f, v[i], `${path}[${i}]`, out, limit);
}

function checkElement(f: FieldPlan, v: unknown, path: string, out: string[], limit: number): void {
  switch (f.kind) {
    case 'primitive': {
      const problem = scalarProblem(f.primitive!, v);
      if (problem !== undefined) out.push(`${path}: ${problem}`);
      return;
    }
    case 'string':
      if (typeof v !== 'string') {
        out.push(`${path}: expected string, got ${describeValue(v)}`);
      } else if (f.maxStringBytes !== Infinity) {
        const bytes = utf8ByteLength(v);
        if (bytes > f.maxStringBytes) {
          out.push(`${path}: string<=${f.maxStringBytes} holds at most ${f.maxStringBytes} UTF-8 bytes, got ${bytes}`);
        }
      }
      return;
    case 'struct':
      checkStruct(f.struct!, v, path, out, limit);
      return;
  }
}
