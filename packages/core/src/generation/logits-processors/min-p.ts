import type { LogitsProcessor } from './logits-processor.js';

/**
 * Min-p sampling (transformers' `MinPLogitsWarper`): removes tokens whose probability is below `minP` times the
 * probability of the most likely token. `minP` 0 disables it; the most likely token always stays.
 */
export function createMinPProcessor(minP: number): LogitsProcessor {
  return {
    name: 'min-p',
    process(logits) {
      if (minP <= 0) return;
      let max = -Infinity;
      for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
      if (max === -Infinity) return;
      // p_i / p_max = exp(l_i - l_max)
      for (let i = 0; i < logits.length; i++) if (Math.exp(logits[i] - max) < minP) logits[i] = -Infinity;
    },
  };
}
