// Shared by the CDR tests (not used at run time).

/** Joint names a real arm description may carry: 2-, 3- and 4-byte UTF-8 characters. */
export const NON_ASCII_NAMES: readonly string[] = ['épaule', '肘', '🦾wrist', 'Ωmega_ß'];

/** Typed arrays become plain arrays, so messages compare by value whichever array kind they hold. */
export function normalizeForCompare(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>);
  if (Array.isArray(v)) return v.map(normalizeForCompare);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeForCompare(x)]));
  }
  return v;
}
