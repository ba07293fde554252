// Small checks shared by the wire-protocol validators (protocol.ts, control-protocol.ts): what a JSON value is,
// in the words an error message uses.

/** 'null', 'array' or the typeof of a JSON value, for "must be …, got …" messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
