import { resolveContextLength } from '@pio/core';
import { createTextModelPlugin, type TextModelPlugin } from '@pio/core/plugin-kit';
import { estimateQwen3VLMemory } from './estimate-memory.js';
import { parseQwen3VLConfig } from './qwen3-vl-config.js';
import { Qwen3VLModel } from './qwen3-vl-model.js';
import { qwen3VLPluginOptionsSchema } from './qwen3-vl-plugin-options.js';
import { imagesOf, qwen3VLTextHooks } from './qwen3-vl-text-hooks.js';
import { QWEN3_VL_WEIGHT_RENAMES } from './weight-map.js';

/**
 * Creates a Qwen3-VL plugin instance (the factory named in the package's `pio` manifest): raw `infer`, token
 * generation and chat with images, on any PIO backend. `createQwen3VLPlugin.loadModel` loads a folder (config.json +
 * model.safetensors or shards, F32/BF16/F16) without an instance; every checkpoint tensor must be used.
 */
export const createQwen3VLPlugin = createTextModelPlugin({
  module: import.meta.url,
  optionsSchema: qwen3VLPluginOptionsSchema,
  parseConfig: parseQwen3VLConfig,
  estimateMemory: (config, storage, _options, contextLength) =>
    estimateQwen3VLMemory(config, storage, resolveContextLength(config.text.maxPositionEmbeddings, contextLength)),
  load: (context) =>
    context.loadCheckpoint({ rename: QWEN3_VL_WEIGHT_RENAMES }, (weights) => Qwen3VLModel.load(context.backend, weights, context.config, context)),
  runtime: qwen3VLTextHooks,
  infer: async (model: Qwen3VLModel, input) => ({ logits: await model.infer({ ...input, images: imagesOf(input) }) }),
});

/** A Qwen3-VL plugin instance: the text plugin contract, and `model` once loaded. */
export type Qwen3VLPlugin = TextModelPlugin<Qwen3VLModel>;
