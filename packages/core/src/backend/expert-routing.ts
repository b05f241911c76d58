import type { Tensor } from './tensor.js';

/**
 * Options of {@link Backend.routeExperts}: how a mixture-of-experts router turns logits into chosen experts and
 * their weights. Covers the DeepSeek-V3 / GLM-4.5+ "noaux_tc" router (sigmoid scores, a correction bias used only
 * to choose, group-limited top-k) and the softmax routers (Qwen3-MoE, Mixtral: softmax, top-k, renormalised).
 */
export interface ExpertRoutingOptions {
  /** Experts chosen per token (`num_experts_per_tok`). */
  topK: number;
  /** Scores from logits: `sigmoid` per expert, or `softmax` over the experts of a token. Computed in float32. */
  scoring: 'sigmoid' | 'softmax';
  /** `[numExperts]` added to the scores to choose experts only (`e_score_correction_bias`); weights use the unbiased scores. */
  bias?: Tensor;
  /**
   * Group-limited choice (`n_group` / `topk_group`): the experts form `count` equal consecutive groups; a group scores
   * the sum of its two best biased scores (its one score when a group has one expert); only the `keep` best groups
   * are chosen from. Default: one group.
   */
  groups?: { count: number; keep: number };
  /** Divide the chosen weights by their sum (plus `1e-20`) (`norm_topk_prob`). Default false. */
  normalize?: boolean;
  /** Multiplier of the final weights (`routed_scaling_factor`). Default 1. */
  scale?: number;
}

/** Result of {@link Backend.routeExperts}. */
export interface ExpertRouting {
  /** Chosen experts `[tokens, topK]`, int32, best first (by biased score; lower index first on ties). */
  experts: Tensor;
  /** Their weights `[tokens, topK]`, float32. */
  weights: Tensor;
}
