import { resolveContextLength } from '@pio/core';
import { createTextModelPlugin } from '@pio/core/plugin-kit';
import { estimateGlmFlashMemory } from './estimate-glm-flash-memory.js';
import { parseGlmFlashConfig } from './glm-flash-config.js';
import { glmFlashPluginOptionsSchema } from './glm-flash-plugin-options.js';
import { GLM_TEXT_HOOKS } from './glm-text-hooks.js';
import { GlmFlashModel } from './model.js';
import { checkpointExpertLoader } from './moe/checkpoint-experts.js';
import type { ExpertCacheStats } from './moe/experts.js';
import { validatePrompt } from './validate-prompt.js';
import { glmFlashUnusedPrefixes } from './weight-map.js';

/** Memory the loaded model holds now. */
export interface GlmFlashMemoryReport {
  /** Bytes the backend holds (weights, resident experts, caches). */
  backendBytes: number;
  /** The routed-expert cache. */
  experts: ExpertCacheStats;
}

/**
 * Creates a GLM-4.7-Flash plugin instance (`Glm4MoeLiteForCausalLM`; the factory named in this package's `pio`
 * manifest): MLA attention with a compressed-latent KV cache, sparse MoE with lazily loaded experts, GLM-4.7's chat
 * template with thinking and tool calls. `createGlmFlashPlugin.loadModel` loads a folder without an instance (F32 or
 * BF16 safetensors, sharded or not; the MTP layer(s) are declared unused and never read).
 */
export const createGlmFlashPlugin = createTextModelPlugin({
  module: import.meta.url,
  optionsSchema: glmFlashPluginOptionsSchema,
  parseConfig: parseGlmFlashConfig,
  estimateMemory: (config, storage, options, contextLength, estimateOptions) =>
    estimateGlmFlashMemory(
      config,
      storage,
      resolveContextLength(config.maxPositionEmbeddings, contextLength),
      estimateOptions?.expertBudget ?? options.expertBudget,
    ),
  defaultStorage: (backend) => (backend.capabilities.weightStorage.includes('bfloat16') ? 'bfloat16' : 'float32'),
  // the checkpoint stays open: routed experts are read after the load (stacked now, or each on first use when bounded)
  load: ({ backend, config, options, storage, loadCheckpoint, expertBudget, ...settings }) =>
    loadCheckpoint({ unused: (names) => glmFlashUnusedPrefixes(config, names), keepOpen: true }, (weights) => {
      const { groupSize, expertCapacity, guessSteps } = options;
      const loadExpert = checkpointExpertLoader(backend, weights, config, { storage, groupSize });
      return GlmFlashModel.load(backend, weights, config, {
        ...settings,
        storage,
        groupSize,
        expertCapacity,
        guessSteps,
        expertBudget: expertBudget ?? options.expertBudget,
        loadExpert,
        stackExperts: true,
      });
    }),
  generationDefaults: (config) => ({ eosTokenIds: config.eosTokenIds, padTokenId: config.padTokenId }),
  runtime: () => GLM_TEXT_HOOKS,
  infer: async (model: GlmFlashModel, input, { signal }) => ({
    logits: await model.infer(validatePrompt(input.inputIds, input.attentionMask, model.vocabSize), signal),
  }),
  methods: {
    /** Resident memory now. */
    memoryReport: (model: GlmFlashModel): GlmFlashMemoryReport => ({ backendBytes: model.backend.memory().bytes, experts: model.experts.stats() }),
  },
});

/** A GLM-4.7-Flash plugin instance: the text plugin contract, `model` once loaded, and {@link GlmFlashMemoryReport}s. */
export type GlmFlashPlugin = ReturnType<typeof createGlmFlashPlugin>;
