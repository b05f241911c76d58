import { join } from 'node:path';
import { readJsonFile } from '@pio/core/text';
import {
  ConfigFileError,
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
  type MemoryEstimate,
  type MemoryEstimateOptions,
  resolveContextLength,
  type PluginInitializeOptions,
  type TextDelta,
  type TextInferInput,
  type TextInferOutput,
  type TextModelPluginInterface,
  type TokenDelta,
  type WeightStorage,
} from '@pio/core';
import { DEFAULT_IMAGE_PREPROCESSOR_CONFIG, limitImagePixels, parsePreprocessorConfig, type ImagePreprocessorConfig } from './image/preprocessor-config.js';
import { estimateQwen3VLMemory } from './estimate-memory.js';
import { loadQwen3VLModel } from './load-qwen3-vl-model.js';
import { parseQwen3VLConfig, type Qwen3VLConfig } from './qwen3-vl-config.js';
import { QWEN3_VL_METADATA } from './qwen3-vl-metadata.js';
import type { Qwen3VLModel } from './qwen3-vl-model.js';
import { qwen3VLPluginOptionsSchema, type Qwen3VLPluginOptions } from './qwen3-vl-plugin-options.js';
import type { TextModelRuntime } from '@pio/core/generation';
import { createQwen3VLRuntime } from './create-qwen3-vl-runtime.js';

/** What a loaded model holds. */
interface LoadedModel {
  readonly model: Qwen3VLModel;
  readonly config: Qwen3VLConfig;
  readonly preprocessor: ImagePreprocessorConfig;
  readonly surface: TextModelRuntime;
}

async function readPreprocessorConfig(modelDir: string, validatePath?: (path: string) => Promise<string>): Promise<ImagePreprocessorConfig> {
  const path = join(modelDir, 'preprocessor_config.json');
  const file = await readJsonFile(path, { validatePath });
  if (file.ok) return parsePreprocessorConfig(file.value, path);
  if (file.reason === 'missing') return DEFAULT_IMAGE_PREPROCESSOR_CONFIG;
  throw new ConfigFileError({ path, reason: file.reason, detail: file.detail }, { cause: file.cause });
}

/** The Qwen3-VL model plugin: raw `infer`, token generation and chat with images, on any PIO backend. */
export class Qwen3VLPlugin implements TextModelPluginInterface {
  /** Plugin spec version implemented. */
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  /** A text-generating plugin. */
  readonly kind = 'text' as const;
  /** Name, architectures, modalities, license, trust. */
  readonly metadata = QWEN3_VL_METADATA;
  private readonly options: ReturnType<typeof qwen3VLPluginOptionsSchema.parse>;
  private backend?: Backend;
  private validatePath?: (path: string) => Promise<string>;
  private fetch?: typeof fetch;
  private maxVisionPixels?: number;
  private loaded?: LoadedModel;

  constructor(options: Qwen3VLPluginOptions = {}) {
    this.options = qwen3VLPluginOptionsSchema.parse(options);
  }

  /** Receives the backend (and the path guard) to compute on. */
  async initialize(options: PluginInitializeOptions): Promise<void> {
    this.backend = options.backend;
    this.validatePath = options.validatePath;
    this.fetch = options.fetch;
    this.maxVisionPixels = options.limits?.maxVisionPixels;
  }

  /** True for `Qwen3VLForConditionalGeneration` / `model_type: qwen3_vl` configs that parse. Never throws. */
  supportsConfig(config: unknown): boolean {
    if (typeof config !== 'object' || config === null) return false;
    const c = config as { model_type?: unknown; architectures?: unknown };
    const named = c.model_type === 'qwen3_vl' || (Array.isArray(c.architectures) && c.architectures.includes('Qwen3VLForConditionalGeneration'));
    if (!named) return false;
    try {
      parseQwen3VLConfig(config);
      return true;
    } catch {
      return false;
    }
  }

  /** Weights (text + vision, by the config) in `storage`, plus KV cache and activations for the configured context. */
  estimateMemory(config: unknown, storage: WeightStorage, options: MemoryEstimateOptions = {}): MemoryEstimate {
    const parsed = parseQwen3VLConfig(config);
    return estimateQwen3VLMemory(parsed, storage, resolveContextLength(parsed.text.maxPositionEmbeddings, options.contextLength ?? this.options.contextLength));
  }

  /** Loads config, weights, tokenizer, chat template, image preprocessing and generation defaults of a model folder. */
  async loadModel(options: LoadModelOptions): Promise<void> {
    const backend = this.requireBackend();
    await this.cleanup();
    const dir = this.validatePath ? await this.validatePath(options.modelPath) : options.modelPath;
    options.onProgress?.({ phase: 'config', loaded: 0 });
    const storage = options.storage ?? this.options.storage ?? 'float32';
    const { model, config } = await loadQwen3VLModel(backend, dir, {
      storage,
      validatePath: this.validatePath,
      kvCacheStorage: options.kvCacheStorage,
      contextLength: options.contextLength ?? this.options.contextLength,
      prefillChunkSize: options.prefillChunkSize,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ phase: 'weights', loaded: p.loaded, total: p.total, unit: 'tensors', item: p.name }),
    });
    try {
      options.onProgress?.({ phase: 'tokenizer', loaded: 0 });
      // the vision budget caps the model's own max_pixels: larger images are resized down before any tensor is built
      const preprocessor = limitImagePixels(await readPreprocessorConfig(dir, this.validatePath), this.maxVisionPixels ?? this.options.maxVisionPixels);
      const surface = await createQwen3VLRuntime({
        model,
        modelDir: dir,
        preprocessor,
        validatePath: this.validatePath,
        imageLoad: { baseDir: this.options.imageBaseDir ?? process.cwd(), timeoutMs: this.options.imageTimeoutMs, validatePath: this.validatePath, fetch: this.fetch },
      });
      options.signal?.throwIfAborted();
      this.loaded = { model, config, preprocessor, surface };
      options.onProgress?.({ phase: 'ready', loaded: 1, total: 1 });
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  /** Prefill logits `[batch, seq, vocab]` for token ids (left padded), with optional preprocessed images. */
  async infer(input: TextInferInput, options: InferOptions = {}): Promise<TextInferOutput> {
    const { model } = this.requireLoaded();
    options.signal?.throwIfAborted();
    const images = input.pixelValues && input.imageGridThw ? { pixelValues: input.pixelValues, imageGridThw: input.imageGridThw } : undefined;
    const logits = await model.infer({ inputIds: input.inputIds, attentionMask: input.attentionMask, images });
    return { logits };
  }

  /** Frees the model. Safe to call twice. */
  async cleanup(): Promise<void> {
    this.loaded?.model.dispose();
    this.loaded = undefined;
  }

  /** The loaded model (for advanced use: sessions, vision features). */
  get model(): Qwen3VLModel | undefined {
    return this.loaded?.model;
  }

  /** Text to token ids (no template; special tokens recognised). */
  tokenize(text: string): number[] {
    return this.requireLoaded().surface.tokenize(text);
  }

  /** Token ids to text. */
  detokenize(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string {
    return this.requireLoaded().surface.detokenize(ids, options);
  }

  /** Token ids (+ `pixelValues` / `imageGridThw`) in, new token ids out, with the KV cache. */
  async generate(input: GenerateInput): Promise<GenerateResult> {
    return this.requireLoaded().surface.generate(input);
  }

  /** Streaming {@link Qwen3VLPlugin.generate}. */
  async *streamGenerate(input: GenerateInput): AsyncIterable<TokenDelta> {
    yield* this.requireLoaded().surface.streamGenerate(input);
  }

  /** A prompt (and `images`) in, text out; rendered with the chat template unless `chat: false`. */
  async generateText(prompt: string | ContentPart[], options?: GenerateTextOptions): Promise<GenerateTextResult> {
    return this.requireLoaded().surface.generateText(prompt, options);
  }

  /** Streaming {@link Qwen3VLPlugin.generateText}. */
  async *streamText(prompt: string | ContentPart[], options?: GenerateTextOptions): AsyncIterable<TextDelta> {
    yield* this.requireLoaded().surface.streamText(prompt, options);
  }

  /** OpenAI-style chat; `image` and `image_url` content parts are loaded, preprocessed and expanded. */
  async chatCompletion(request: ChatCompletionRequest): Promise<ChatCompletionResult> {
    return this.requireLoaded().surface.chatCompletion(request);
  }

  /** Streaming {@link Qwen3VLPlugin.chatCompletion}. */
  async *streamChatCompletion(request: ChatCompletionRequest): AsyncIterable<ChatCompletionDelta> {
    yield* this.requireLoaded().surface.streamChatCompletion(request);
  }

  /** Runs independent requests (chat or text) as one batched generation, each with its own options (see `TextModelPluginInterface.streamBatch`); images of several requests are stacked into the batch. */
  streamBatch(requests: readonly BatchGenerationRequest[]): AsyncIterable<ChatCompletionDelta>[] {
    return this.requireLoaded().surface.streamBatch(requests);
  }

  private requireBackend(): Backend {
    if (!this.backend) throw new PluginStateError({ pluginName: this.metadata.name, state: 'uninitialized', message: 'call initialize({ backend }) first' });
    return this.backend;
  }

  private requireLoaded(): LoadedModel {
    if (!this.loaded) throw new PluginStateError({ pluginName: this.metadata.name, state: 'not loaded', message: 'call loadModel({ modelPath }) first' });
    return this.loaded;
  }
}
