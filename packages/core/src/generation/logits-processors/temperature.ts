import type { LogitsProcessor } from './logits-processor.js';

/**
 * Divides the logits by `temperature` (transformers' `TemperatureLogitsWarper`): below 1 sharpens the distribution,
 * above 1 flattens it. `temperature` must be positive; greedy decoding (temperature 0) skips processors altogether.
 */
export function createTemperatureProcessor(temperature: number): LogitsProcessor {
  return {
    name: 'temperature',
    process(logits) {
      if (temperature === 1) return;
      for (let i = 0; i < logits.length; i++) logits[i] /= temperature;
    },
  };
}
