import type { Backend } from '@pio/core';
import { GatedMlp, Linear } from '@pio/core/nn';
import type { CheckpointWeightSource } from '@pio/core/weights';
import type { GlmFlashConfig } from '../glm-flash-config.js';
import type { MatrixStorage } from '../load-linear.js';
import { expertWeightName, type ExpertProjection } from '../weight-map.js';
import type { ExpertLoader } from './experts.js';

/**
 * The routed experts of a GLM checkpoint: claims every routed expert tensor now (so the load's completeness check
 * covers them without reading them) and returns the loader that reads one expert on first use, streamed from the file
 * in parts on a backend with `beginWeight` (no whole expert matrix on the host).
 */
export function checkpointExpertLoader(
  backend: Backend,
  source: CheckpointWeightSource,
  config: Pick<GlmFlashConfig, 'hiddenSize' | 'moeIntermediateSize' | 'mlpLayerTypes' | 'nRoutedExperts'>,
  matrix: MatrixStorage,
): ExpertLoader {
  const shapes: Record<ExpertProjection, readonly number[]> = {
    gate_proj: [config.moeIntermediateSize, config.hiddenSize],
    up_proj: [config.moeIntermediateSize, config.hiddenSize],
    down_proj: [config.hiddenSize, config.moeIntermediateSize],
  };
  const projections = Object.keys(shapes) as ExpertProjection[];
  for (const [layer, type] of config.mlpLayerTypes.entries()) {
    if (type !== 'sparse') continue;
    for (let e = 0; e < config.nRoutedExperts; e++) {
      for (const projection of projections) source.claim(expertWeightName(layer, e, projection), { shape: shapes[projection] });
    }
  }
  const linear = async (layer: number, expert: number, projection: ExpertProjection) => {
    const name = expertWeightName(layer, expert, projection);
    const weight = await source.upload(name, { role: 'linear', ...matrix, name, shape: shapes[projection] });
    return new Linear(backend, weight);
  };
  return async (layer, expert) =>
    new GatedMlp(backend, await linear(layer, expert, 'gate_proj'), await linear(layer, expert, 'up_proj'), await linear(layer, expert, 'down_proj'));
}
