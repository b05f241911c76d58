/** Seeded uniform values in [-1, 1) from a 32-bit LCG (Numerical Recipes constants): the same inputs every run. */
export function seededValues(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  });
}
