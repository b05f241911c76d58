import type { GlmFlashConfig } from './glm-flash-config.js';

const LAYER = /^model\.layers\.(\d+)\./;

/**
 * Checkpoint prefixes the model declares unused: the multi-token-prediction layer(s) stored after the last decoder
 * layer (`model.layers.{numHiddenLayers}.*` and beyond). Module names are the checkpoint names themselves (no renaming).
 *
 * @param names - The checkpoint's tensor names.
 */
export function glmFlashUnusedPrefixes(config: Pick<GlmFlashConfig, 'numHiddenLayers'>, names: Iterable<string>): string[] {
  const layers = new Set<number>();
  for (const name of names) {
    const match = LAYER.exec(name);
    if (match && Number(match[1]) >= config.numHiddenLayers) layers.add(Number(match[1]));
  }
  return [...layers].sort((a, b) => a - b).map((layer) => `model.layers.${layer}.`);
}

/** The three projections of a routed expert. */
export type ExpertProjection = 'gate_proj' | 'up_proj' | 'down_proj';

/** Checkpoint name of one routed expert's projection. */
export function expertWeightName(layer: number, expert: number, projection: ExpertProjection): string {
  return `model.layers.${layer}.mlp.experts.${expert}.${projection}.weight`;
}
