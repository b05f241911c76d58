/**
 * The `k`-th largest value of `values` (1-based; NaN counts as `-Infinity`), by quickselect in O(n) expected time.
 * `k` is clamped to `[1, values.length]`; an empty array gives `-Infinity`.
 */
export function kthLargest(values: Float32Array, k: number): number {
  const n = values.length;
  if (n === 0) return -Infinity;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Number.isNaN(values[i]) ? -Infinity : values[i];
  const target = Math.max(1, Math.min(k, n)) - 1; // position in descending order
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target];
}

/**
 * Indices of the `count` largest values, largest first; among equal values the lower index comes first
 * (NaN counts as smallest). O(n) expected time plus a sort of the `count` winners.
 */
export function topIndices(values: Float32Array, count: number): number[] {
  const n = values.length;
  const k = Math.max(0, Math.min(count, n));
  if (k === 0) return [];
  const kth = kthLargest(values, k);
  const value = (i: number) => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  const above: number[] = [];
  const equal: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (v > kth) above.push(i);
    else if (v === kth && equal.length < k) equal.push(i);
  }
  const picked = above.concat(equal.slice(0, k - above.length));
  return picked.sort((a, b) => value(b) - value(a) || a - b);
}
