import { join } from 'node:path';
import { readModelConfig, type Backend, type SequenceBufferStorage, type WeightStorage } from '@pio/core';
import { GatedMlp, Linear } from '@pio/core/nn';
import { loadCheckpointModel, type LoadedCheckpointModel } from '@pio/core/plugin-kit';
import { parseGlmFlashConfig } from './glm-flash-config.js';
import { GlmFlashModel } from './model.js';
import type { ExpertLoader } from './moe/experts.js';
import { expertWeightName, glmFlashUnusedPrefixes } from './weight-map.js';

/** Options of {@link loadGlmFlashModel}. */
export interface LoadGlmFlashModelOptions {
  /** Storage of the large matrices: `float32` (default), `bfloat16`, `int8` or `int4` (weight-only, per-group scales). */
  storage?: WeightStorage;
  /** Group size of `int8` / `int4` scales (default the backend's, 64). */
  groupSize?: number;
  /** Element type of the KV cache on backends that keep it in place (default float32). */
  kvCacheStorage?: SequenceBufferStorage;
  /** Positions a session may hold (default from the config's `max_position_embeddings`: `resolveContextLength`). */
  contextLength?: number;
  /** Prompt positions per prefill forward pass (default 512). */
  prefillChunkSize?: number;
  /**
   * Most routed experts resident at once. Default `Infinity`: every expert is uploaded at load. A finite value loads
   * experts on first use from the safetensors files and frees the least recently used beyond the bound.
   */
  expertCapacity?: number;
  /** Per-tensor progress. */
  onProgress?: (progress: { name: string; loaded: number; total: number }) => void;
  /** Cancels loading. */
  signal?: AbortSignal;
  /** The path guard every file goes through (config, index, shards); a plugin passes its `validatePath`. */
  validatePath?: (path: string) => Promise<string>;
}

/** A loaded model, what loading found, and the closer of its checkpoint (open while experts load lazily). */
export type LoadedGlmFlashModel = LoadedCheckpointModel<GlmFlashModel>;

/**
 * Loads GLM-4.7-Flash from a Hugging Face folder (`config.json` + `model.safetensors` or shards; F32 or BF16, with F32
 * tensors inside a BF16 file). The MTP layer(s) are declared unused and never read. Throws `WeightLoadError` when a
 * tensor is missing or unexpected, `InvalidConfigError` on a bad config.
 */
export async function loadGlmFlashModel(backend: Backend, modelDir: string, options: LoadGlmFlashModelOptions = {}): Promise<LoadedGlmFlashModel> {
  const { validatePath } = options;
  const config = parseGlmFlashConfig(await readModelConfig(modelDir, { validatePath }), join(modelDir, 'config.json'));
  const storage = options.storage ?? 'float32';
  // the checkpoint stays open: experts are read after the load (all of them now, or each on first use)
  const settings = {
    unused: (names: readonly string[]) => glmFlashUnusedPrefixes(config, names),
    signal: options.signal,
    onProgress: options.onProgress,
    validatePath,
    keepOpen: true,
  };
  const loaded = await loadCheckpointModel(backend, modelDir, settings, async (source) => {
    const weightOptions = { role: 'linear' as const, storage, groupSize: options.groupSize };
    const expertShapes = {
      gate_proj: [config.moeIntermediateSize, config.hiddenSize],
      up_proj: [config.moeIntermediateSize, config.hiddenSize],
      down_proj: [config.hiddenSize, config.moeIntermediateSize],
    } as const;
    const loadExpert: ExpertLoader = async (layer, expert) => {
      const linear = async (projection: keyof typeof expertShapes) => {
        const name = expertWeightName(layer, expert, projection);
        // streamed from the file in parts (on a backend with `beginWeight`): no whole expert matrix on the host
        return new Linear(backend, await source.upload(name, { ...weightOptions, name, shape: expertShapes[projection] }));
      };
      return new GatedMlp(backend, await linear('gate_proj'), await linear('up_proj'), await linear('down_proj'));
    };
    // Routed experts are read on demand: claim them now so the report checks them without reading them.
    for (const [layer, type] of config.mlpLayerTypes.entries()) {
      if (type !== 'sparse') continue;
      for (let e = 0; e < config.nRoutedExperts; e++) {
        for (const projection of Object.keys(expertShapes) as (keyof typeof expertShapes)[]) {
          source.claim(expertWeightName(layer, e, projection), { shape: expertShapes[projection] });
        }
      }
    }
    return GlmFlashModel.load(backend, source, config, {
      storage,
      groupSize: options.groupSize,
      kvCacheStorage: options.kvCacheStorage,
      contextLength: options.contextLength,
      prefillChunkSize: options.prefillChunkSize,
      loadExpert,
      expertCapacity: options.expertCapacity,
      stackExperts: true,
      signal: options.signal,
    });
  });
  if (options.expertCapacity === undefined || options.expertCapacity === Infinity) {
    await loaded.model.preloadExperts().catch(async (error: unknown) => {
      loaded.model.dispose();
      await loaded.close();
      throw error;
    });
  }
  return loaded;
}
