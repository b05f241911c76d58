import type { GenerationDefaults } from './generation-defaults.js';

/**
 * Combines a model's defaults (from `loadGenerationConfig`) with the caller's options: every field the caller sets
 * (not `undefined`) wins.
 *
 * Sampling follows the caller's intent: when the caller sets `temperature` but not `doSample`, sampling is on for a
 * temperature above 0; a resulting temperature of 0 always means greedy decoding (`doSample: false`).
 */
export function resolveGenerationOptions<T extends GenerationDefaults>(defaults: GenerationDefaults, overrides: T = {} as T): GenerationDefaults & T {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value;
  }
  const result = merged as GenerationDefaults & T;
  if (overrides.doSample === undefined && overrides.temperature !== undefined) result.doSample = overrides.temperature > 0;
  if (result.temperature === 0) result.doSample = false;
  return result;
}

/** True when options ask for sampling rather than greedy decoding (see {@link resolveGenerationOptions}). */
export function isSampling(options: GenerationDefaults): boolean {
  if (options.temperature === 0) return false;
  return options.doSample ?? (options.temperature !== undefined && options.temperature > 0);
}
