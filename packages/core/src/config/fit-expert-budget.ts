import type { MemoryEstimate } from '../plugin/memory-estimate.js';

/**
 * The most routed experts per MoE layer that can stay resident in `availableBytes`, for a mixture-of-experts estimate
 * made with every expert resident; `undefined` when the estimate has no experts, was made with a budget already, or
 * cannot fit even its fewest (`experts.minResidentPerLayer`). Each resident expert per layer costs
 * `layers * bytesPerExpert`; everything else in the estimate is fixed.
 */
export function fitExpertBudget(estimate: MemoryEstimate, availableBytes: number): number | undefined {
  const experts = estimate.experts;
  if (experts === undefined || experts.residentPerLayer < experts.perLayer || experts.layers === 0) return undefined;
  const perSlot = experts.layers * experts.bytesPerExpert;
  const fixedBytes = estimate.totalBytes - experts.perLayer * perSlot;
  const budget = Math.min(experts.perLayer, Math.floor((availableBytes - fixedBytes) / perSlot));
  return budget >= (experts.minResidentPerLayer ?? 1) ? budget : undefined;
}

/** `estimate` with `budget` routed experts resident per MoE layer instead of all (weights and total shrink alike). */
export function withExpertBudget(estimate: MemoryEstimate, budget: number): MemoryEstimate {
  const experts = estimate.experts!;
  const saved = (experts.perLayer - budget) * experts.layers * experts.bytesPerExpert;
  return {
    ...estimate,
    weightBytes: estimate.weightBytes - saved,
    totalBytes: estimate.totalBytes - saved,
    experts: { ...experts, residentPerLayer: budget },
  };
}
