import { describe, expect, it } from 'vitest';
import { routeTokens } from './router.js';

const logit = (p: number) => Math.log(p / (1 - p)); // sigmoid(logit(p)) = p

describe('routeTokens', () => {
  it('chooses with the biased scores but weights with the unbiased ones, normalised and scaled', () => {
    // scores 0.9, 0.2, 0.6, 0.5; bias lifts expert 1 above expert 2 for the choice only.
    const logits = Float32Array.from([0.9, 0.2, 0.6, 0.5].map(logit));
    const bias = Float32Array.from([0, 0.5, 0, 0]);
    const r = routeTokens(logits, bias, { numExperts: 4, topK: 2, numGroups: 1, topkGroup: 1, normTopkProb: true, routedScalingFactor: 2 });
    expect(Array.from(r.experts)).toEqual([0, 1]);
    expect(r.weights[0]).toBeCloseTo((0.9 / 1.1) * 2, 5);
    expect(r.weights[1]).toBeCloseTo((0.2 / 1.1) * 2, 5);
  });

  it('keeps only the topk_group best groups, a group scoring the sum of its two best biased scores', () => {
    // 4 groups of 2. Group sums: g0 0.95+0.05=1.0, g1 0.7+0.6=1.3, g2 0.8+0.1=0.9, g3 0.65+0.62=1.27.
    // Best 2 groups: g1, g3 → experts 2,3,6,7. Expert 4 (0.8) is better than all of g3 but its group loses.
    const p = [0.95, 0.05, 0.7, 0.6, 0.8, 0.1, 0.65, 0.62];
    const r = routeTokens(Float32Array.from(p.map(logit)), new Float32Array(8), {
      numExperts: 8,
      topK: 3,
      numGroups: 4,
      topkGroup: 2,
      normTopkProb: false,
      routedScalingFactor: 1,
    });
    expect(Array.from(r.experts)).toEqual([2, 6, 7]);
    [0.7, 0.65, 0.62].forEach((w, i) => expect(r.weights[i]).toBeCloseTo(w, 6));
  });

  it('routes each token independently', () => {
    const logits = Float32Array.from([0.1, 0.9, 0.9, 0.1].map(logit));
    const r = routeTokens(logits, new Float32Array(2), { numExperts: 2, topK: 1, numGroups: 1, topkGroup: 1, normTopkProb: true, routedScalingFactor: 1 });
    expect(r.tokens).toBe(2);
    expect(Array.from(r.experts)).toEqual([1, 0]);
    expect(Array.from(r.weights)).toEqual([1, 1]);
  });
});
