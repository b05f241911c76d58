import type { Rng } from './rng.js';

/** Index of the largest logit; the first one on ties. -1 when every value is NaN or the row is empty. */
export function argMax(logits: Float32Array): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const value = logits[i];
    if (value > bestValue || (best === -1 && value === -Infinity)) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/**
 * Draws a token from `softmax(logits)` with one uniform number of `rng` (inverse-CDF over the vocabulary in index
 * order). Tokens at `-Infinity` are never drawn. Falls back to {@link argMax} when no token has finite probability.
 */
export function sampleToken(logits: Float32Array, rng: Rng): number {
  const max = logits[argMax(logits)];
  if (max === undefined || !Number.isFinite(max)) return argMax(logits);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i] - max);
  const target = rng.nextFloat() * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < logits.length; i++) {
    const p = Math.exp(logits[i] - max);
    if (p === 0) continue;
    cumulative += p;
    last = i;
    if (cumulative > target) return i;
  }
  return last;
}
