import type { GenerationDefaults } from './generation-defaults.js';
import type { LogitsProcessor } from './logits-processors/logits-processor.js';
import { createMinPProcessor } from './logits-processors/min-p.js';
import { createPresenceFrequencyPenaltyProcessor } from './logits-processors/presence-frequency-penalty.js';
import { createRepetitionPenaltyProcessor } from './logits-processors/repetition-penalty.js';
import { createTemperatureProcessor } from './logits-processors/temperature.js';
import { createTopKProcessor } from './logits-processors/top-k.js';
import { createTopPProcessor } from './logits-processors/top-p.js';

/**
 * The processors that options ask for, in transformers' order: repetition penalty, presence/frequency penalties, then
 * (only when sampling) temperature, top-k, top-p, min-p. Greedy decoding applies the penalties only; the truncations
 * cannot change the argmax.
 */
export function buildLogitsProcessors(options: GenerationDefaults, sampling: boolean): LogitsProcessor[] {
  const processors: LogitsProcessor[] = [];
  if (options.repetitionPenalty !== undefined && options.repetitionPenalty !== 1) {
    processors.push(createRepetitionPenaltyProcessor(options.repetitionPenalty));
  }
  if (options.presencePenalty || options.frequencyPenalty) {
    processors.push(createPresenceFrequencyPenaltyProcessor(options.presencePenalty ?? 0, options.frequencyPenalty ?? 0));
  }
  if (!sampling) return processors;
  if (options.temperature !== undefined && options.temperature !== 1) processors.push(createTemperatureProcessor(options.temperature));
  if (options.topK) processors.push(createTopKProcessor(options.topK));
  if (options.topP !== undefined && options.topP < 1) processors.push(createTopPProcessor(options.topP));
  if (options.minP) processors.push(createMinPProcessor(options.minP));
  return processors;
}
