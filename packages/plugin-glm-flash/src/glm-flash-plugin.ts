import { realpath } from 'node:fs/promises';
import {
  modelPluginMetadataSchema,
  PLUGIN_SPEC_VERSION,
  PluginStateError,
  type Backend,
  type BatchGenerationRequest,
  type ChatCompletionDelta,
  type ChatCompletionRequest,
  type ChatCompletionResult,
  type ContentPart,
  type GenerateInput,
  type GenerateResult,
  type GenerateTextOptions,
  type GenerateTextResult,
  type InferOptions,
  type LoadModelOptions,
  type ModelPluginMetadata,
  type PluginInitializeOptions,
  type TextDelta,
  type TextInferInput,
  type TextInferOutput,
  type TextModelPluginInterface,
  type TokenDelta,
  type WeightStorage,
  type MemoryEstimateOptions,
  resolveContextLength,
} from '@pio/core';
import { isGlmFlashConfig, parseGlmFlashConfig } from './glm-flash-config.js';
import { estimateGlmFlashMemory, type GlmFlashMemoryEstimate } from './estimate-glm-flash-memory.js';
import type { TextModelRuntime } from '@pio/core/generation';
import { createGlmTextRuntime } from './glm-text-runtime.js';
import { loadGlmFlashModel, type LoadedGlmFlashModel } from './load-glm-flash-model.js';
import type { ExpertCacheStats } from './moe/experts.js';
import { validatePrompt } from './validate-prompt.js';

/** Options of {@link createGlmFlashPlugin}. */
export interface GlmFlashPluginOptions {
  /** Default weight storage when `loadModel` names none: `bfloat16`, `int8` or `int4` keep the 30 B weights compact. Default `float32` if the backend holds nothing smaller, else `bfloat16`. */
  storage?: WeightStorage;
  /** Group size of `int8` / `int4` scales (default 64). */
  groupSize?: number;
  /** Most routed experts resident at once (LRU); default all experts, loaded up front. */
  expertCapacity?: number;
}

/** Memory the loaded model holds now. */
export interface GlmFlashMemoryReport {
  /** Bytes the backend holds (weights, resident experts, caches). */
  backendBytes: number;
  /** The routed-expert cache. */
  experts: ExpertCacheStats;
}

const PLUGIN_NAME = 'glm-flash';

/**
 * The GLM-4.7-Flash plugin (`Glm4MoeLiteForCausalLM`): MLA attention with a compressed-latent KV cache, sparse MoE with
 * lazily loaded experts, GLM-4.7's chat template with thinking and tool calls.
 */
export class GlmFlashPlugin implements TextModelPluginInterface {
  /** The plugin spec version implemented. */
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  /** A text plugin. */
  readonly kind = 'text' as const;
  /** Name, version, architectures, modalities, license, trust. */
  readonly metadata: ModelPluginMetadata = modelPluginMetadataSchema.parse({
    name: PLUGIN_NAME,
    version: '0.1.0',
    description: 'GLM-4.7-Flash (MoE, multi-head latent attention) with thinking and tool calls.',
    architectures: ['Glm4MoeLiteForCausalLM'],
    modelTypes: ['glm4_moe_lite'],
    modalities: { input: ['text'], output: ['text'] },
    license: 'Apache-2.0',
    requiredTrust: 'sandboxed',
  });

  private backend?: Backend;
  private validatePath: (path: string) => Promise<string> = (path) => realpath(path);
  private loaded?: LoadedGlmFlashModel;
  private text?: TextModelRuntime;

  constructor(private readonly options: GlmFlashPluginOptions = {}) {}

  /** Receives the backend. */
  async initialize(options: PluginInitializeOptions): Promise<void> {
    this.backend = options.backend;
    if (options.validatePath) this.validatePath = options.validatePath;
  }

  /** True for `Glm4MoeLiteForCausalLM` / `model_type: glm4_moe_lite` configs. Never throws. */
  supportsConfig(config: unknown): boolean {
    return isGlmFlashConfig(config);
  }

  /** Memory for `config` with `storage`, split into resident weights and routed experts. Throws `InvalidConfigError`. */
  estimateMemory(config: unknown, storage: WeightStorage, options: MemoryEstimateOptions = {}): GlmFlashMemoryEstimate {
    const parsed = parseGlmFlashConfig(config);
    return estimateGlmFlashMemory(parsed, storage, resolveContextLength(parsed.maxPositionEmbeddings, options.contextLength));
  }

  /** Loads the model folder: weights (experts lazily when `expertCapacity` is set), tokenizer, chat template, generation defaults. */
  async loadModel(options: LoadModelOptions): Promise<void> {
    const backend = this.requireBackend();
    await this.cleanup();
    const dir = await this.validatePath(options.modelPath);
    const storage = options.storage ?? this.options.storage ?? (backend.capabilities.weightStorage.includes('bfloat16') ? 'bfloat16' : 'float32');
    options.onProgress?.({ phase: 'weights', loaded: 0, unit: 'tensors' });
    const loaded = await loadGlmFlashModel(backend, dir, {
      storage,
      kvCacheStorage: options.kvCacheStorage,
      contextLength: options.contextLength,
      prefillChunkSize: options.prefillChunkSize,
      groupSize: this.options.groupSize,
      expertCapacity: this.options.expertCapacity,
      signal: options.signal,
      validatePath: this.validatePath,
      onProgress: (p) => options.onProgress?.({ phase: 'weights', loaded: p.loaded, total: p.total, unit: 'tensors', item: p.name }),
    });
    try {
      options.onProgress?.({ phase: 'tokenizer', loaded: 0 });
      this.text = await createGlmTextRuntime(loaded.model, dir, this.validatePath);
    } catch (error) {
      loaded.model.dispose();
      await loaded.close();
      throw error;
    }
    this.loaded = loaded;
    options.onProgress?.({ phase: 'ready', loaded: 1, total: 1 });
  }

  /** Prefill logits for every position, `[batch, seq, vocab]`. */
  async infer(input: TextInferInput, options: InferOptions = {}): Promise<TextInferOutput> {
    const model = this.requireLoaded().model;
    const prompt = validatePrompt(input.inputIds, input.attentionMask, model.vocabSize);
    options.signal?.throwIfAborted();
    const logits = await model.infer(prompt, options.signal);
    try {
      return { logits: { data: (await logits.data()) as Float32Array, shape: [...logits.shape] } };
    } finally {
      logits.dispose();
    }
  }

  /** Resident memory now. */
  memoryReport(): GlmFlashMemoryReport {
    const loaded = this.requireLoaded();
    return { backendBytes: loaded.model.backend.memory().bytes, experts: loaded.model.experts.stats() };
  }

  /** Text to token ids (special tokens in the text are recognised; no template). */
  tokenize(text: string): number[] {
    return this.requireText().tokenize(text);
  }

  /** Token ids to text. */
  detokenize(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string {
    return this.requireText().detokenize(ids, options);
  }

  /** Token ids in (left padded, with `attentionMask`), new token ids out; KV-cached, EOS = GLM's end tokens. */
  async generate(input: GenerateInput): Promise<GenerateResult> {
    return this.requireText().generate(input);
  }

  /** Streaming {@link GlmFlashPlugin.generate}: one delta per new token. */
  async *streamGenerate(input: GenerateInput): AsyncIterable<TokenDelta> {
    yield* this.requireText().streamGenerate(input);
  }

  /** A prompt in, raw text out (as one user turn of the chat template unless `chat: false`; thinking markup kept). */
  async generateText(prompt: string | ContentPart[], options?: GenerateTextOptions): Promise<GenerateTextResult> {
    return this.requireText().generateText(prompt, options);
  }

  /** Streaming {@link GlmFlashPlugin.generateText}. */
  async *streamText(prompt: string | ContentPart[], options?: GenerateTextOptions): AsyncIterable<TextDelta> {
    yield* this.requireText().streamText(prompt, options);
  }

  /** OpenAI-style chat: `reasoning_content`, `content` and `tool_calls` apart; thinking on unless `enableThinking: false`. */
  async chatCompletion(request: ChatCompletionRequest): Promise<ChatCompletionResult> {
    return this.requireText().chatCompletion(request);
  }

  /** Streaming {@link GlmFlashPlugin.chatCompletion}: reasoning and answer deltas as they arrive, tool calls when complete. */
  async *streamChatCompletion(request: ChatCompletionRequest): AsyncIterable<ChatCompletionDelta> {
    yield* this.requireText().streamChatCompletion(request);
  }

  /** Runs independent requests (chat or text) as one batched generation, each with its own options and output parsing (see `TextModelPluginInterface.streamBatch`). */
  streamBatch(requests: readonly BatchGenerationRequest[]): AsyncIterable<ChatCompletionDelta>[] {
    return this.requireText().streamBatch(requests);
  }

  /** Frees the model and closes its files. Safe to call twice. */
  async cleanup(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    this.text = undefined;
    if (loaded) {
      loaded.model.dispose();
      await loaded.close();
    }
  }

  private requireBackend(): Backend {
    if (!this.backend) throw new PluginStateError({ pluginName: PLUGIN_NAME, state: 'uninitialized', message: 'call initialize({ backend }) first' });
    return this.backend;
  }

  private requireLoaded(): LoadedGlmFlashModel {
    if (!this.loaded) throw new PluginStateError({ pluginName: PLUGIN_NAME, state: 'not loaded', message: 'call loadModel({ modelPath }) first' });
    return this.loaded;
  }

  private requireText(): TextModelRuntime {
    this.requireLoaded();
    return this.text!;
  }
}

/** Creates a new GLM-4.7-Flash plugin instance (the factory named in this package's `pio` manifest). */
export function createGlmFlashPlugin(options: GlmFlashPluginOptions = {}): GlmFlashPlugin {
  return new GlmFlashPlugin(options);
}
