import type { PluginNames } from './plugin-names.js';

/** `src/` of a new plugin package: config, model, plugin, factory. */
export function sourceTemplates(n: PluginNames): Record<string, string> {
  return {
    'src/index.ts': `/**
 * \`${n.packageName}\`: a PIO plugin for ${n.pascal} models.
 *
 * @packageDocumentation
 */
export { ${n.pascal}Plugin, create${n.pascal}Plugin } from './${n.name}-plugin.js';
export { ${n.pascal}Model } from './${n.name}-model.js';
export { ${n.pascal}NotReadyError } from './errors/${n.name}-not-ready-error.js';
export { ${n.camel}ConfigJsonSchema, parse${n.pascal}Config, type ${n.pascal}Config } from './${n.name}-config.js';
`,
    [`src/${n.name}-config.ts`]: `import { baseConfigSchema, parseConfig } from '@pio/core';
import { z } from 'zod';

/** zod schema of a ${n.pascal} \`config.json\` (Hugging Face's own snake_case names). */
export const ${n.camel}ConfigJsonSchema = baseConfigSchema.extend({
  model_type: z.literal('${n.modelType}'),
  hidden_size: z.number().int().positive(),
  vocab_size: z.number().int().positive(),
  rms_norm_eps: z.number().positive().default(1e-6),
  max_position_embeddings: z.number().int().positive().default(4096),
});

/** A validated ${n.pascal} config. */
export interface ${n.pascal}Config {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly rmsNormEps: number;
  /** Positions the model was trained on: its context length unless loaded with another. */
  readonly maxPositionEmbeddings: number;
}

/**
 * Parses a \`config.json\` object.
 *
 * @throws InvalidConfigError naming every bad field with its path.
 */
export function parse${n.pascal}Config(json: unknown): ${n.pascal}Config {
  const config = parseConfig(${n.camel}ConfigJsonSchema, json, { source: 'config.json' });
  return { hiddenSize: config.hidden_size, vocabSize: config.vocab_size, rmsNormEps: config.rms_norm_eps, maxPositionEmbeddings: config.max_position_embeddings };
}
`,
    [`src/errors/${n.name}-not-ready-error.ts`]: `import { PioError, type PioErrorOptions } from '@pio/core';

/** The plugin was used before it was initialized or before a model was loaded. */
export class ${n.pascal}NotReadyError extends PioError {
  /** The call that must come first, e.g. \`loadModel({ modelPath })\`. */
  readonly missingStep: string;

  constructor(missingStep: string, options: PioErrorOptions = {}) {
    super('${n.modelType.toUpperCase()}_NOT_READY', \`The ${n.name} plugin is not ready: call \${missingStep} first.\`, options);
    this.name = '${n.pascal}NotReadyError';
    this.missingStep = missingStep;
  }

  /** True when \`error\` is a {@link ${n.pascal}NotReadyError} from any copy of this package. */
  static override isInstance(error: unknown): error is ${n.pascal}NotReadyError {
    return PioError.isInstance(error) && error.code === '${n.modelType.toUpperCase()}_NOT_READY';
  }
}
`,
    [`src/${n.name}-model.ts`]: `import { resolveContextLength, type Backend, type CausalLM, type HostFloatArray, type PromptBatch, type Tensor, type WeightStorage } from '@pio/core';
import { CachedDecoderSession, Embedding, Linear, Module, RMSNorm, type DecoderForwardInput, type DecoderModel, type WeightSource } from '@pio/core/nn';
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
  static async load(backend: Backend, source: WeightSource, config: ${n.pascal}Config, storage?: WeightStorage, contextLength?: number): Promise<${n.pascal}Model> {
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
    const batch = input.inputIds.length;
    const seq = input.inputIds[0]?.length ?? 0;
    if (input.logits === 'none') return undefined; // no attention layer yet: nothing to cache
    return b.scope(() => {
      const ids = b.tensor(Int32Array.from(input.inputIds.flat()), [batch, seq], 'int32'); // [batch, seq]
      let hidden = this.embed.forward(ids); // [batch, seq, hidden]
      if (input.logits === 'last') hidden = b.slice(hidden, [0, seq - 1, 0], [batch, 1, this.config.hiddenSize]);
      return this.lmHead.forward(this.norm.forward(hidden)); // [batch, seq | 1, vocab]
    });
  }

  /** Logits of every position of a left-padded prompt, \`[batch, seq, vocab]\` (computed in prefill chunks). */
  async infer(prompt: PromptBatch): Promise<HostFloatArray> {
    const session = new CachedDecoderSession(this, prompt, undefined, { contextLength: this.contextLength });
    try {
      const logits = await session.prefillAll();
      const data = Float32Array.from(await logits.data());
      logits.dispose();
      return { data, shape: [...logits.shape] };
    } finally {
      session.dispose();
    }
  }

  createSession(prompt: PromptBatch): CachedDecoderSession {
    return new CachedDecoderSession(this, prompt, undefined, { contextLength: this.contextLength });
  }
}
`,
    [`src/${n.name}-plugin.ts`]: `import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PLUGIN_SPEC_VERSION,
  WEIGHT_STORAGE_BYTES,
  resolveContextLength,
  type Backend,
  type ChatCompletionRequest,
  type ContentPart,
  type GenerateInput,
  type GenerateTextOptions,
  type LoadModelOptions,
  type MemoryEstimate,
  type MemoryEstimateOptions,
  type ModelPluginMetadata,
  type PluginInitializeOptions,
  type TextInferInput,
  type TextInferOutput,
  type TextModelPluginInterface,
  type WeightStorage,
} from '@pio/core';
import { createTextModelRuntime, loadGenerationConfig, type TextModelRuntime } from '@pio/core/generation';
import { loadChatTemplate, loadTokenizer, type ChatTemplate } from '@pio/core/text';
import { createWeightSource, openCheckpoint } from '@pio/core/weights';
import { ${n.camel}ConfigJsonSchema, parse${n.pascal}Config } from './${n.name}-config.js';
import { ${n.pascal}Model } from './${n.name}-model.js';
import { ${n.pascal}NotReadyError } from './errors/${n.name}-not-ready-error.js';

interface Loaded {
  model: ${n.pascal}Model;
  runtime: TextModelRuntime;
}

/** The ${n.pascal} plugin: loads a model folder and generates text on the backend it is given. */
export class ${n.pascal}Plugin implements TextModelPluginInterface {
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  readonly kind = 'text' as const;
  readonly metadata: ModelPluginMetadata = {
    name: '${n.name}',
    version: '0.1.0',
    description: '${n.pascal} language models.',
    architectures: ['${n.architecture}'],
    modelTypes: ['${n.modelType}'],
    modalities: { input: ['text'], output: ['text'] },
    license: 'Apache-2.0',
    requiredTrust: 'sandboxed',
  };
  private backend: Backend | undefined;
  private validatePath: ((path: string) => Promise<string>) | undefined;
  private state: Loaded | undefined;

  async initialize(options: PluginInitializeOptions): Promise<void> {
    this.backend = options.backend;
    this.validatePath = options.validatePath;
  }

  supportsConfig(config: unknown): boolean {
    return ${n.camel}ConfigJsonSchema.safeParse(config).success;
  }

  estimateMemory(config: unknown, storage: WeightStorage, options: MemoryEstimateOptions = {}): MemoryEstimate {
    const { hiddenSize, vocabSize, maxPositionEmbeddings } = parse${n.pascal}Config(config);
    const matrices = 2 * vocabSize * hiddenSize; // embedding + LM head
    const parameters = matrices + hiddenSize;
    const weightBytes = matrices * WEIGHT_STORAGE_BYTES[storage] + hiddenSize * 4;
    const contextLength = resolveContextLength(maxPositionEmbeddings, options.contextLength);
    const runtimeBytes = Math.min(512, contextLength) * (hiddenSize + vocabSize) * 4; // activations and logits of a prefill chunk
    return { storage, parameters, weightBytes, runtimeBytes, contextLength, totalBytes: weightBytes + runtimeBytes };
  }

  async loadModel(options: LoadModelOptions): Promise<void> {
    const backend = this.backend;
    if (!backend) throw new ${n.pascal}NotReadyError('initialize({ backend })');
    const dir = this.validatePath ? await this.validatePath(options.modelPath) : options.modelPath;
    const config = parse${n.pascal}Config(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
    const checkpoint = await openCheckpoint(dir);
    try {
      const { onProgress } = options;
      const source = createWeightSource(backend, checkpoint, {
        storage: options.storage,
        signal: options.signal,
        onProgress: onProgress && ((p) => onProgress({ phase: 'weights', loaded: p.loaded, total: p.total, unit: 'tensors', item: p.name })),
      });
      const model = await ${n.pascal}Model.load(backend, source, config, options.storage, options.contextLength);
      source.assertComplete();
      const tokenizer = await loadTokenizer(dir);
      const chatTemplate: ChatTemplate | undefined = await loadChatTemplate(dir).catch(() => undefined);
      const generationDefaults = await loadGenerationConfig(dir);
      const runtime = createTextModelRuntime({ model, tokenizer, chatTemplate, generationDefaults });
      this.state = { model, runtime };
    } finally {
      await checkpoint.close();
    }
  }

  async infer(input: TextInferInput): Promise<TextInferOutput> {
    const { model } = this.loaded();
    const attentionMask = input.attentionMask ?? input.inputIds.map((row) => row.map(() => 1));
    return { logits: await model.infer({ inputIds: input.inputIds, attentionMask }) };
  }

  async cleanup(): Promise<void> {
    this.state?.model.dispose();
    this.state = undefined;
  }

  tokenize(text: string): number[] {
    return this.loaded().runtime.tokenize(text);
  }
  detokenize(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string {
    return this.loaded().runtime.detokenize(ids, options);
  }
  async generate(input: GenerateInput) {
    return this.loaded().runtime.generate(input);
  }
  streamGenerate(input: GenerateInput) {
    return this.loaded().runtime.streamGenerate(input);
  }
  async generateText(prompt: string | ContentPart[], options?: GenerateTextOptions) {
    return this.loaded().runtime.generateText(prompt, options);
  }
  streamText(prompt: string | ContentPart[], options?: GenerateTextOptions) {
    return this.loaded().runtime.streamText(prompt, options);
  }
  async chatCompletion(request: ChatCompletionRequest) {
    return this.loaded().runtime.chatCompletion(request);
  }
  streamChatCompletion(request: ChatCompletionRequest) {
    return this.loaded().runtime.streamChatCompletion(request);
  }

  private loaded(): Loaded {
    if (!this.state) throw new ${n.pascal}NotReadyError('loadModel({ modelPath })');
    return this.state;
  }
}

/** Creates a ${n.pascal} plugin instance (the factory named in package.json's \`pio.export\`). */
export function create${n.pascal}Plugin(): ${n.pascal}Plugin {
  return new ${n.pascal}Plugin();
}
`,
  };
}
