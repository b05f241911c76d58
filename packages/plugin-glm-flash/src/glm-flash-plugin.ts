import { resolveContextLength } from '@pio/core';
import { createTextModelPlugin, type TextModelPlugin } from '@pio/core/plugin-kit';
import { estimateGlmFlashMemory, type GlmFlashMemoryEstimate } from './estimate-glm-flash-memory.js';
import { parseGlmFlashConfig, type GlmFlashConfig } from './glm-flash-config.js';
import { glmFlashPluginOptionsSchema } from './glm-flash-plugin-options.js';
import { GLM_TEXT_HOOKS, glmGenerationDefaults } from './glm-text-runtime.js';
import { loadGlmFlashModel } from './load-glm-flash-model.js';
import type { GlmFlashModel } from './model.js';
import type { ExpertCacheStats } from './moe/experts.js';
import { validatePrompt } from './validate-prompt.js';

/** Memory the loaded model holds now. */
export interface GlmFlashMemoryReport {
  /** Bytes the backend holds (weights, resident experts, caches). */
  backendBytes: number;
  /** The routed-expert cache. */
  experts: ExpertCacheStats;
}

const methods = {
  /** Resident memory now. */
  memoryReport: (model: GlmFlashModel): GlmFlashMemoryReport => ({ backendBytes: model.backend.memory().bytes, experts: model.experts.stats() }),
};

/**
 * Creates a GLM-4.7-Flash plugin instance (`Glm4MoeLiteForCausalLM`; the factory named in this package's `pio`
 * manifest): MLA attention with a compressed-latent KV cache, sparse MoE with lazily loaded experts, GLM-4.7's chat
 * template with thinking and tool calls.
 */
export const createGlmFlashPlugin = createTextModelPlugin<
  typeof glmFlashPluginOptionsSchema,
  GlmFlashConfig,
  GlmFlashModel,
  undefined,
  typeof methods,
  GlmFlashMemoryEstimate
>({
  module: import.meta.url,
  optionsSchema: glmFlashPluginOptionsSchema,
  parseConfig: parseGlmFlashConfig,
  estimateMemory: (config, storage, _options, contextLength) =>
    estimateGlmFlashMemory(config, storage, resolveContextLength(config.maxPositionEmbeddings, contextLength)),
  defaultStorage: (backend, options) => options.storage ?? (backend.capabilities.weightStorage.includes('bfloat16') ? 'bfloat16' : 'float32'),
  load: ({ backend, modelDir, options, storage, kvCacheStorage, contextLength, prefillChunkSize, signal, validatePath, onProgress }) =>
    loadGlmFlashModel(backend, modelDir, {
      storage,
      kvCacheStorage,
      contextLength,
      prefillChunkSize,
      groupSize: options.groupSize,
      expertCapacity: options.expertCapacity,
      signal,
      validatePath,
      onProgress,
    }),
  generationDefaults: glmGenerationDefaults,
  runtime: () => GLM_TEXT_HOOKS,
  infer: async (model: GlmFlashModel, input, { signal }) => {
    const prompt = validatePrompt(input.inputIds, input.attentionMask, model.vocabSize);
    signal?.throwIfAborted();
    const logits = await model.infer(prompt, signal);
    try {
      return { logits: { data: (await logits.data()) as Float32Array, shape: [...logits.shape] } };
    } finally {
      logits.dispose();
    }
  },
  methods,
});

/** A GLM-4.7-Flash plugin instance: the text plugin contract, `model` once loaded, and {@link GlmFlashMemoryReport}s. */
export type GlmFlashPlugin = TextModelPlugin<GlmFlashModel, typeof methods, GlmFlashMemoryEstimate>;
