/** Settings of the GLM-4.7-Flash / DeepSeek-V3 "noaux_tc" router. */
export interface RouterSettings {
  /** Routed experts. */
  numExperts: number;
  /** Experts chosen per token. */
  topK: number;
  /** Expert groups (`n_group`). */
  numGroups: number;
  /** Groups kept per token (`topk_group`). */
  topkGroup: number;
  /** Normalise the chosen weights to sum 1. */
  normTopkProb: boolean;
  /** Multiplier applied to the chosen weights. */
  routedScalingFactor: number;
}

/** Chosen experts and their weights, `[tokens][topK]` flattened row by row. */
export interface Routing {
  readonly tokens: number;
  readonly topK: number;
  /** Expert index per token and slot. */
  readonly experts: Int32Array;
  /** Weight per token and slot. */
  readonly weights: Float32Array;
}

const f = Math.fround;

/** Indices of the `k` largest of `values` (descending; lower index first on ties). */
function topIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => (values[b] === values[a] ? a - b : values[b] - values[a]));
  return order.slice(0, k);
}

/**
 * Routes tokens from their router logits, in float32 as the reference does: sigmoid scores; the correction bias is
 * added only to choose experts (group score = sum of the two best biased scores in the group; the `topkGroup` best
 * groups are kept; top-k inside them); the weights are the unbiased scores of the chosen experts, normalised to sum 1
 * when `normTopkProb`, times `routedScalingFactor`.
 *
 * @param logits - Router logits `[tokens, numExperts]`.
 * @param bias - `e_score_correction_bias` `[numExperts]`.
 */
export function routeTokens(logits: Float32Array, bias: Float32Array, settings: RouterSettings): Routing {
  const { numExperts: e, topK, numGroups, topkGroup } = settings;
  const tokens = logits.length / e;
  const perGroup = e / numGroups;
  const experts = new Int32Array(tokens * topK);
  const weights = new Float32Array(tokens * topK);
  const scores = new Float32Array(e);
  const choice = new Float32Array(e);
  const groupScores = new Float32Array(numGroups);
  for (let t = 0; t < tokens; t++) {
    for (let i = 0; i < e; i++) {
      scores[i] = f(1 / (1 + Math.exp(-logits[t * e + i])));
      choice[i] = f(scores[i] + bias[i]);
    }
    for (let g = 0; g < numGroups; g++) {
      const best = topIndices(choice.subarray(g * perGroup, (g + 1) * perGroup), Math.min(2, perGroup));
      groupScores[g] = best.reduce((sum, i) => f(sum + choice[g * perGroup + i]), 0);
    }
    const keptGroups = new Set(topIndices(groupScores, topkGroup));
    const masked = Array.from(choice, (v, i) => (keptGroups.has(Math.floor(i / perGroup)) ? v : -Infinity));
    const chosen = topIndices(masked, topK);
    let sum = 0;
    for (const i of chosen) sum = f(sum + scores[i]);
    const denominator = settings.normTopkProb ? f(sum + 1e-20) : 1;
    chosen.forEach((expert, slot) => {
      experts[t * topK + slot] = expert;
      weights[t * topK + slot] = f(f(scores[expert] / denominator) * settings.routedScalingFactor);
    });
  }
  return { tokens, topK, experts, weights };
}
