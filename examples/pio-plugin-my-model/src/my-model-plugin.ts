import { resolveContextLength, WEIGHT_STORAGE_BYTES } from '@pio/core';
import { prefillLogits } from '@pio/core/nn';
import { createTextModelPlugin, type TextModelPlugin } from '@pio/core/plugin-kit';
import { z } from 'zod';
import { parseMyModelConfig } from './my-model-config.js';
import { MyModelModel } from './my-model-model.js';

/**
 * Creates a MyModel plugin instance (the factory named in package.json's `pio.export`; its metadata are the
 * `pio` manifest there). The kit supplies the lifecycle, the tokenizer, chat template and text surface.
 */
export const createMyModelPlugin = createTextModelPlugin({
  module: import.meta.url,
  optionsSchema: z.object({}),
  parseConfig: parseMyModelConfig,
  estimateMemory: ({ hiddenSize, vocabSize, maxPositionEmbeddings }, storage, _options, requested) => {
    const matrices = 2 * vocabSize * hiddenSize; // embedding + LM head
    const weightBytes = matrices * WEIGHT_STORAGE_BYTES[storage] + hiddenSize * 4;
    const contextLength = resolveContextLength(maxPositionEmbeddings, requested);
    const runtimeBytes = Math.min(512, contextLength) * (hiddenSize + vocabSize) * 4; // activations and logits of a prefill chunk
    return { storage, parameters: matrices + hiddenSize, weightBytes, runtimeBytes, contextLength, totalBytes: weightBytes + runtimeBytes };
  },
  load: (context) => context.loadCheckpoint({}, (weights) => MyModelModel.load(context.backend, weights, context.config, context)),
  infer: async (model: MyModelModel, input, { signal }) => ({ logits: await prefillLogits(model, input, { signal }) }),
});

/** A MyModel plugin instance. */
export type MyModelPlugin = TextModelPlugin<MyModelModel>;
