import type { LogitsProcessor } from './logits-processor.js';

const BUCKETS = 256;
const SMALL = 256;

/**
 * Nucleus sampling (transformers' `TopPLogitsWarper`): going from the most likely token down (lower index first on
 * ties), keeps tokens while the probability mass of the tokens above them is below `topP`, so the kept set is the
 * smallest whose mass reaches `topP`; at least one token stays. `topP` 1 disables it.
 *
 * Runs in O(vocab) without sorting the vocabulary: tokens are bucketed by logit; buckets above the one where the mass
 * crosses `topP` are kept whole, those below dropped, and the crossing bucket is split again until it is small.
 */
export function createTopPProcessor(topP: number): LogitsProcessor {
  return {
    name: 'top-p',
    process(logits) {
      if (topP >= 1) return;
      let max = -Infinity;
      for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
      if (max === -Infinity || Number.isNaN(max)) return;
      const weights = new Float64Array(logits.length); // unnormalised probabilities
      let total = 0;
      const candidates: number[] = [];
      for (let i = 0; i < logits.length; i++) {
        const w = Math.exp(logits[i] - max);
        if (w > 0) {
          weights[i] = w;
          total += w;
          candidates.push(i);
        }
      }
      const keep = new Uint8Array(logits.length);
      selectNucleus(logits, weights, candidates, 0, topP * total, keep);
      for (let i = 0; i < logits.length; i++) if (!keep[i]) logits[i] = -Infinity;
    },
  };
}

/** Marks in `keep` the tokens of `candidates` (in index order) whose mass above, starting from `massAbove`, is below `target`. */
function selectNucleus(logits: Float32Array, weights: Float64Array, candidates: number[], massAbove: number, target: number, keep: Uint8Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of candidates) {
    if (logits[i] < lo) lo = logits[i];
    if (logits[i] > hi) hi = logits[i];
  }
  if (candidates.length <= SMALL || lo === hi) {
    const ordered = lo === hi ? candidates : [...candidates].sort((a, b) => logits[b] - logits[a] || a - b);
    for (const i of ordered) {
      if (massAbove >= target) return;
      keep[i] = 1;
      massAbove += weights[i];
    }
    return;
  }
  const bucketOf = (i: number) => Math.min(BUCKETS - 1, Math.floor(((logits[i] - lo) / (hi - lo)) * BUCKETS));
  const mass = new Float64Array(BUCKETS);
  for (const i of candidates) mass[bucketOf(i)] += weights[i];
  let boundary = -1;
  for (let b = BUCKETS - 1; b >= 0; b--) {
    if (massAbove + mass[b] < target) massAbove += mass[b];
    else {
      boundary = b;
      break;
    }
  }
  const inBoundary: number[] = [];
  for (const i of candidates) {
    const b = bucketOf(i);
    if (b > boundary) keep[i] = 1;
    else if (b === boundary) inBoundary.push(i);
  }
  if (boundary >= 0) selectNucleus(logits, weights, inBoundary, massAbove, target, keep);
}
