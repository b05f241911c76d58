import type { ExpertRoutingOptions } from './expert-routing.js';

const f = Math.fround;

/** Indices of the `k` largest of `values`, best first, lower index first on ties. */
function topIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => (values[b] === values[a] ? a - b : values[b] - values[a]));
  return order.slice(0, k);
}

/**
 * {@link Backend.routeExperts} on host values, in float32 (every step rounded with `Math.fround`, as the reference
 * modeling code computes in float32): scores, biased choice scores, group scores (sum of the two best), kept groups,
 * top-k inside them (masked experts rank below every kept one), weights from the unbiased scores, normalised and
 * scaled. The oracle of the reference backend, and the routing of backends that compute on the host. Options are
 * not validated here (see `checkRoutingOptions`).
 *
 * @param logits - `[tokens, numExperts]` row-major.
 * @param bias - `[numExperts]` correction bias, or undefined.
 */
export function routeExpertsOnHost(
  logits: ArrayLike<number>,
  tokens: number,
  numExperts: number,
  bias: ArrayLike<number> | undefined,
  options: ExpertRoutingOptions,
): { experts: Int32Array; weights: Float32Array } {
  const e = numExperts;
  const { topK } = options;
  const groups = options.groups ?? { count: 1, keep: 1 };
  const perGroup = e / groups.count;
  const experts = new Int32Array(tokens * topK);
  const weights = new Float32Array(tokens * topK);
  const scores = new Float64Array(e);
  const choice = new Float64Array(e);
  const groupScores = new Float64Array(groups.count);
  const scale = f(options.scale ?? 1);
  for (let row = 0; row < tokens; row++) {
    const logit = (i: number) => f(logits[row * e + i]);
    if (options.scoring === 'sigmoid') {
      for (let i = 0; i < e; i++) scores[i] = f(1 / (1 + Math.exp(-logit(i))));
    } else {
      let max = -Infinity;
      for (let i = 0; i < e; i++) max = Math.max(max, logit(i));
      let sum = 0;
      for (let i = 0; i < e; i++) sum += Math.exp(logit(i) - max);
      for (let i = 0; i < e; i++) scores[i] = f(Math.exp(logit(i) - max) / sum);
    }
    for (let i = 0; i < e; i++) choice[i] = bias ? f(scores[i] + f(bias[i])) : scores[i];
    for (let g = 0; g < groups.count; g++) {
      const group = choice.subarray(g * perGroup, (g + 1) * perGroup);
      groupScores[g] = topIndices(group, Math.min(2, perGroup)).reduce((sum, i) => f(sum + group[i]), 0);
    }
    const kept = new Set(topIndices(groupScores, groups.keep));
    const masked = Array.from(choice, (v, i) => (kept.has(Math.floor(i / perGroup)) ? v : -Infinity));
    const chosen = topIndices(masked, topK);
    let sum = 0;
    for (const i of chosen) sum = f(sum + scores[i]);
    const denominator = options.normalize ? f(sum + 1e-20) : 1;
    chosen.forEach((expert, slot) => {
      experts[row * topK + slot] = expert;
      weights[row * topK + slot] = f(f(scores[expert] / denominator) * scale);
    });
  }
  return { experts, weights };
}
