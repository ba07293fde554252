// The one small seeded PRNG of the code base (mulberry32): deterministic streams for IK restarts, generated test
// sets and fuzzing, so any failure reproduces from its seed. Not for anything that needs unpredictability.

/** A function returning uniform numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
