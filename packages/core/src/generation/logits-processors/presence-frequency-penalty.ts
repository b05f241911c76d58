import type { LogitsProcessor } from './logits-processor.js';

/**
 * OpenAI's presence and frequency penalties, over generated tokens only (not the prompt):
 * `logit[t] -= count[t] * frequencyPenalty + (count[t] > 0 ? presencePenalty : 0)`. Both 0 disables it.
 */
export function createPresenceFrequencyPenaltyProcessor(presencePenalty: number, frequencyPenalty: number): LogitsProcessor {
  return {
    name: 'presence-frequency-penalty',
    process(logits, context) {
      if (presencePenalty === 0 && frequencyPenalty === 0) return;
      for (const [id, count] of context.generatedCounts) {
        if (id < 0 || id >= logits.length || count <= 0) continue;
        logits[id] -= count * frequencyPenalty + presencePenalty;
      }
    },
  };
}
