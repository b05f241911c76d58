import type { LogitsProcessor } from './logits-processor.js';

/**
 * transformers' `RepetitionPenaltyLogitsProcessor` (CTRL's penalty): for every token present in the prompt or the
 * output, a positive logit is divided by `penalty` and a negative one multiplied by it. `penalty` 1 disables it.
 * Unlike transformers, prompt padding does not count (the engine passes unpadded prompts).
 */
export function createRepetitionPenaltyProcessor(penalty: number): LogitsProcessor {
  return {
    name: 'repetition-penalty',
    process(logits, context) {
      if (penalty === 1) return;
      for (const id of context.seenIds) {
        if (id < 0 || id >= logits.length) continue;
        const value = logits[id];
        logits[id] = value < 0 ? value * penalty : value / penalty;
      }
    },
  };
}
