import { InvalidConfigError } from '@pio/core';
import type { GlmFlashConfig } from './glm-flash-config.js';

/**
 * The routed experts kept resident per MoE layer for an `expertBudget` option: every expert when unset or at least the
 * layer's count; otherwise the budget, which must be a whole number of at least `numExpertsPerTok` (a token's experts
 * must all be resident at once). Throws `InvalidConfigError` naming `expertBudget` otherwise.
 */
export function resolveExpertBudget(config: Pick<GlmFlashConfig, 'nRoutedExperts' | 'numExpertsPerTok'>, expertBudget: number | undefined): number {
  if (expertBudget === undefined || expertBudget === Infinity) return config.nRoutedExperts;
  if (!Number.isInteger(expertBudget) || expertBudget < config.numExpertsPerTok) {
    throw new InvalidConfigError({
      source: 'the expertBudget option',
      issues: [
        {
          path: 'expertBudget',
          expected: `a whole number of routed experts per MoE layer from ${config.numExpertsPerTok} (the experts one token uses) up`,
          found: String(expertBudget),
        },
      ],
    });
  }
  return Math.min(expertBudget, config.nRoutedExperts);
}
