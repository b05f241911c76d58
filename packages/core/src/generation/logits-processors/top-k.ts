import { kthLargest } from '../top-indices.js';
import type { LogitsProcessor } from './logits-processor.js';

/**
 * Keeps the `topK` largest logits and removes the rest (transformers' `TopKLogitsWarper`: every token whose logit is
 * below the `topK`-th largest is removed, so ties with it survive). `topK` 0 (or at least the vocabulary) disables it.
 */
export function createTopKProcessor(topK: number): LogitsProcessor {
  return {
    name: 'top-k',
    process(logits) {
      if (topK <= 0 || topK >= logits.length) return;
      const kth = kthLargest(logits, topK);
      for (let i = 0; i < logits.length; i++) if (!(logits[i] >= kth)) logits[i] = -Infinity;
    },
  };
}
