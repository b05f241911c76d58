import { resolveContextLength } from '@pio/core';
import { createTextModelPlugin, type TextModelPlugin } from '@pio/core/plugin-kit';
import { estimateQwen3VLMemory } from './estimate-memory.js';
import { loadQwen3VLModel } from './load-qwen3-vl-model.js';
import { parseQwen3VLConfig } from './qwen3-vl-config.js';
import type { Qwen3VLModel } from './qwen3-vl-model.js';
import { qwen3VLPluginOptionsSchema } from './qwen3-vl-plugin-options.js';
import { qwen3VLTextHooks } from './qwen3-vl-text-hooks.js';

/**
 * Creates a Qwen3-VL plugin instance (the factory named in the package's `pio` manifest): raw `infer`, token
 * generation and chat with images, on any PIO backend.
 */
export const createQwen3VLPlugin = createTextModelPlugin({
  module: import.meta.url,
  optionsSchema: qwen3VLPluginOptionsSchema,
  parseConfig: parseQwen3VLConfig,
  estimateMemory: (config, storage, _options, contextLength) =>
    estimateQwen3VLMemory(config, storage, resolveContextLength(config.text.maxPositionEmbeddings, contextLength)),
  defaultContextLength: (options) => options.contextLength,
  defaultStorage: (_backend, options) => options.storage ?? 'float32',
  load: ({ backend, modelDir, storage, kvCacheStorage, contextLength, prefillChunkSize, signal, validatePath, onProgress }) =>
    loadQwen3VLModel(backend, modelDir, { storage, kvCacheStorage, contextLength, prefillChunkSize, signal, validatePath, onProgress }),
  runtime: qwen3VLTextHooks,
  infer: async (model: Qwen3VLModel, input) => {
    const images = input.pixelValues && input.imageGridThw ? { pixelValues: input.pixelValues, imageGridThw: input.imageGridThw } : undefined;
    return { logits: await model.infer({ inputIds: input.inputIds, attentionMask: input.attentionMask, images }) };
  },
});

/** A Qwen3-VL plugin instance: the text plugin contract, and `model` once loaded. */
export type Qwen3VLPlugin = TextModelPlugin<Qwen3VLModel>;
