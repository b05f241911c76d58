import type { PluginNames } from './plugin-names.js';

/** `src/` of a new plugin package: config, model, and the plugin made with `@pio/core/plugin-kit`. */
export function sourceTemplates(n: PluginNames): Record<string, string> {
  return {
    'src/index.ts': `/**
 * \`${n.packageName}\`: a PIO plugin for ${n.pascal} models.
 *
 * @packageDocumentation
 */
export { create${n.pascal}Plugin, type ${n.pascal}Plugin } from './${n.name}-plugin.js';
export type { ${n.pascal}Config } from './${n.name}-config.js';
`,
    [`src/${n.name}-config.ts`]: `import { baseConfigSchema, parseConfig } from '@pio/core';
import { z } from 'zod';

/** zod schema of a ${n.pascal} \`config.json\` (Hugging Face's snake_case names), read as a camelCase {@link ${n.pascal}Config}. */
export const ${n.camel}ConfigSchema = baseConfigSchema
  .extend({
    model_type: z.literal('${n.modelType}'),
    hidden_size: z.number().int().positive(),
    vocab_size: z.number().int().positive(),
    rms_norm_eps: z.number().positive().default(1e-6),
    max_position_embeddings: z.number().int().positive().default(4096),
  })
  .transform((c) => ({ hiddenSize: c.hidden_size, vocabSize: c.vocab_size, rmsNormEps: c.rms_norm_eps, maxPositionEmbeddings: c.max_position_embeddings }));

/** A validated ${n.pascal} config (\`maxPositionEmbeddings\`: its context length unless loaded with another). */
export type ${n.pascal}Config = z.output<typeof ${n.camel}ConfigSchema>;

/** Parses a \`config.json\` object; throws \`InvalidConfigError\` naming every bad field with its path. */
export function parse${n.pascal}Config(json: unknown, source = 'config.json'): ${n.pascal}Config {
  return parseConfig(${n.camel}ConfigSchema, json, { source });
}
`,
    [`src/${n.name}-model.ts`]: `import { resolveContextLength, type Backend, type CausalLM, type PromptBatch, type Tensor, type WeightStorage } from '@pio/core';
import {
  CachedDecoderSession,
  Embedding,
  Linear,
  Module,
  outputPositions,
  RMSNorm,
  type DecoderForwardInput,
  type DecoderModel,
  type WeightSource,
} from '@pio/core/nn';
import type { ${n.pascal}Config } from './${n.name}-config.js';

/**
 * The ${n.pascal} network: token embedding, final RMSNorm, LM head.
 *
 * A starting point: add your decoder layers between the embedding and the norm. Each attention layer appends its
 * keys and values with \`input.cache.updateKeysValues(layer, { keys, values })\` and attends with \`input.mask\`
 * (the cache builds it, padding included); core's \`CachedDecoderSession\` does the rest (chunked prefill, positions,
 * decode steps). Without attention, the next token depends only on the last one.
 */
export class ${n.pascal}Model extends Module implements CausalLM, DecoderModel {
  /** Positions a session may hold. */
  readonly contextLength: number;
  /** KV-cache layers (one per attention layer; none yet). */
  readonly cacheLayers = 0;

  private constructor(
    readonly backend: Backend,
    readonly config: ${n.pascal}Config,
    private readonly embed: Embedding,
    private readonly norm: RMSNorm,
    private readonly lmHead: Linear,
    contextLength?: number,
  ) {
    super();
    this.child(embed);
    this.child(norm);
    this.child(lmHead);
    this.contextLength = resolveContextLength(config.maxPositionEmbeddings, contextLength);
  }

  /** Loads the weights (Hugging Face names) from \`source\`. */
  static async load(backend: Backend, source: WeightSource, config: ${n.pascal}Config, options: { storage?: WeightStorage; contextLength?: number }) {
    const { storage, contextLength } = options;
    const embed = await Embedding.load(backend, source, 'model.embed_tokens', { numEmbeddings: config.vocabSize, dim: config.hiddenSize, storage });
    const norm = await RMSNorm.load(backend, source, 'model.norm', { dim: config.hiddenSize, eps: config.rmsNormEps });
    const lmHead = await Linear.load(backend, source, 'lm_head', { inFeatures: config.hiddenSize, outFeatures: config.vocabSize, bias: false, storage });
    return new ${n.pascal}Model(backend, config, embed, norm, lmHead, contextLength);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** One forward pass over new positions (a prefill chunk or a decode step); the logits the session asks for. */
  async forward(input: DecoderForwardInput): Promise<Tensor | undefined> {
    const b = this.backend;
    const logits = input.logits;
    if (logits === 'none') return undefined; // no attention layer yet: nothing to cache
    return b.scope(() => {
      const hidden = this.embed.forward(input.tokenIds); // [batch, seq] → [batch, seq, hidden]
      // the positions whose logits are returned: the last one for \`last\`, [batch, 1, hidden]
      return this.lmHead.forward(this.norm.forward(outputPositions(b, hidden, logits))); // [batch, seq | 1, vocab]
    });
  }

  createSession(prompt: PromptBatch): CachedDecoderSession {
    return new CachedDecoderSession(this, prompt, undefined, { contextLength: this.contextLength });
  }
}
`,
    [`src/${n.name}-plugin.ts`]: `import { resolveContextLength, WEIGHT_STORAGE_BYTES } from '@pio/core';
import { prefillLogits } from '@pio/core/nn';
import { createTextModelPlugin, type TextModelPlugin } from '@pio/core/plugin-kit';
import { z } from 'zod';
import { parse${n.pascal}Config } from './${n.name}-config.js';
import { ${n.pascal}Model } from './${n.name}-model.js';

/**
 * Creates a ${n.pascal} plugin instance (the factory named in package.json's \`pio.export\`; its metadata are the
 * \`pio\` manifest there). The kit supplies the lifecycle, the tokenizer, chat template and text surface.
 */
export const create${n.pascal}Plugin = createTextModelPlugin({
  module: import.meta.url,
  optionsSchema: z.object({}),
  parseConfig: parse${n.pascal}Config,
  estimateMemory: ({ hiddenSize, vocabSize, maxPositionEmbeddings }, storage, _options, requested) => {
    const matrices = 2 * vocabSize * hiddenSize; // embedding + LM head
    const weightBytes = matrices * WEIGHT_STORAGE_BYTES[storage] + hiddenSize * 4;
    const contextLength = resolveContextLength(maxPositionEmbeddings, requested);
    const runtimeBytes = Math.min(512, contextLength) * (hiddenSize + vocabSize) * 4; // activations and logits of a prefill chunk
    return { storage, parameters: matrices + hiddenSize, weightBytes, runtimeBytes, contextLength, totalBytes: weightBytes + runtimeBytes };
  },
  load: (context) => context.loadCheckpoint({}, (weights) => ${n.pascal}Model.load(context.backend, weights, context.config, context)),
  infer: async (model: ${n.pascal}Model, input, { signal }) => ({ logits: await prefillLogits(model, input, { signal }) }),
});

/** A ${n.pascal} plugin instance. */
export type ${n.pascal}Plugin = TextModelPlugin<${n.pascal}Model>;
`,
  };
}
