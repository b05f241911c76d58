import { join } from 'node:path';
import type { z } from 'zod';
import type { Backend } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { parseConfig as parseWithSchema } from '../config/parse-config.js';
import { readModelConfig } from '../config/read-model-config.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import type { TextModelRuntime } from '../generation/text-model-runtime.js';
import type { CausalLM } from '../model/causal-lm.js';
import type { ContentPart } from '../plugin/chat.js';
import type { InferOptions, LoadModelOptions, MemoryEstimateOptions, PluginInitializeOptions } from '../plugin/model-plugin-interface.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';
import type { ModelPluginMetadata } from '../plugin/plugin-metadata.js';
import { PLUGIN_SPEC_VERSION } from '../plugin/plugin-spec-version.js';
import type {
  BatchGenerationRequest,
  ChatCompletionDelta,
  ChatCompletionRequest,
  GenerateInput,
  GenerateTextOptions,
  TextInferInput,
  TextModelPluginInterface,
} from '../plugin/text-model-plugin-interface.js';
import type { DisposableModel } from './load-checkpoint-model.js';
import { checkTokenIds } from './check-token-ids.js';
import { loadTextModelRuntime } from './load-text-model-runtime.js';
import { readPluginMetadata } from './read-plugin-metadata.js';
import type { LoadedTextModel, PluginMethods, TextModelPluginDefinition } from './text-model-plugin-definition.js';

/** Methods of a {@link PluginMethods} record as the plugin exposes them (without the model argument). */
export type BoundPluginMethods<Methods> = {
  [K in keyof Methods]: Methods[K] extends (model: never, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/** A plugin made by {@link createTextModelPlugin}: the text plugin contract, the loaded model, and the plugin's own methods. */
export type TextModelPlugin<Model, Methods = Record<never, never>, Estimate extends MemoryEstimate = MemoryEstimate> = Omit<
  TextModelPluginInterface,
  'estimateMemory'
> &
  Required<Pick<TextModelPluginInterface, 'streamBatch'>> & {
    /** The loaded model, for advanced use (sessions, raw forward); `undefined` before `loadModel`. */
    readonly model: Model | undefined;
    /** The memory estimate of the plugin's own type. */
    estimateMemory(config: unknown, storage: WeightStorage, options?: MemoryEstimateOptions): Estimate;
  } & BoundPluginMethods<Methods>;

/** The factory {@link createTextModelPlugin} returns: what the package's `pio` manifest names as `export`. */
export type TextModelPluginFactory<OptionsSchema extends z.ZodType, Model, Methods, Estimate extends MemoryEstimate = MemoryEstimate> = (
  options?: z.input<OptionsSchema>,
) => TextModelPlugin<Model, Methods, Estimate>;

/**
 * Builds a text model plugin from what is model-specific (see {@link TextModelPluginDefinition}) and returns its
 * factory; each call of the factory is a fresh instance holding one model. The kit supplies the lifecycle
 * (`initialize` → `loadModel` → calls → `cleanup`), guards (promise and stream methods reject with
 * `PluginStateError` before a model is loaded, never throw synchronously), metadata from the package's `pio`
 * manifest, the path guard on the model folder, `config.json`, tokenizer, chat template and `generation_config.json`
 * reading, the text/chat/stream/batch surface over `createTextModelRuntime`, and cleanup of a failed load.
 */
export function createTextModelPlugin<
  OptionsSchema extends z.ZodType,
  Config,
  Model extends CausalLM<Extras> & DisposableModel,
  Extras = undefined,
  Methods extends PluginMethods<Model> = Record<never, never>,
  Estimate extends MemoryEstimate = MemoryEstimate,
>(
  definition: TextModelPluginDefinition<OptionsSchema, Config, Model, Extras, Methods, Estimate>,
): TextModelPluginFactory<OptionsSchema, Model, Methods, Estimate> {
  return (options) => {
    const metadata = readPluginMetadata(definition.module);
    const parsed = parseWithSchema(definition.optionsSchema, options ?? {}, { source: `options of the ${metadata.name} plugin` }) as z.output<OptionsSchema>;
    const plugin = new KitTextModelPlugin(definition, metadata, parsed);
    for (const [name, method] of Object.entries(definition.methods ?? {})) {
      Object.defineProperty(plugin, name, { value: (...args: never[]) => method(plugin.requireLoaded().model, ...args) });
    }
    return plugin as unknown as TextModelPlugin<Model, Methods, Estimate>;
  };
}

interface Loaded<Config, Model> extends LoadedTextModel<Model> {
  readonly config: Config;
  readonly runtime: TextModelRuntime;
}

class KitTextModelPlugin<
  OptionsSchema extends z.ZodType,
  Config,
  Model extends CausalLM<Extras> & DisposableModel,
  Extras,
  Methods extends PluginMethods<Model>,
  Estimate extends MemoryEstimate,
> implements TextModelPluginInterface
{
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  readonly kind = 'text' as const;
  private backend?: Backend;
  private services: Omit<PluginInitializeOptions, 'backend'> = {};
  private loaded?: Loaded<Config, Model>;

  constructor(
    private readonly definition: TextModelPluginDefinition<OptionsSchema, Config, Model, Extras, Methods, Estimate>,
    readonly metadata: ModelPluginMetadata,
    private readonly options: z.output<OptionsSchema>,
  ) {}

  get model(): Model | undefined {
    return this.loaded?.model;
  }

  async initialize(options: PluginInitializeOptions): Promise<void> {
    const { backend, ...services } = options;
    this.backend = backend;
    this.services = services;
  }

  supportsConfig(config: unknown): boolean {
    if (typeof config !== 'object' || config === null) return false;
    const { model_type: type, architectures } = config as { model_type?: unknown; architectures?: unknown };
    const named =
      this.metadata.modelTypes.includes(type as string) || (Array.isArray(architectures) && architectures.some((a) => this.metadata.architectures.includes(a)));
    if (!named) return false;
    try {
      this.definition.parseConfig(config, 'config.json');
      return true;
    } catch {
      return false;
    }
  }

  estimateMemory(config: unknown, storage: WeightStorage, options: MemoryEstimateOptions = {}): Estimate {
    const contextLength = options.contextLength ?? this.definition.defaultContextLength?.(this.options);
    return this.definition.estimateMemory(this.definition.parseConfig(config, 'config.json'), storage, this.options, contextLength);
  }

  async loadModel(options: LoadModelOptions): Promise<void> {
    const backend = this.backend;
    if (!backend) throw this.stateError('uninitialized', 'call initialize({ backend }) first');
    await this.cleanup();
    const { validatePath, fetch, limits } = this.services;
    const modelDir = validatePath ? await validatePath(options.modelPath) : options.modelPath;
    const progress = options.onProgress;
    progress?.({ phase: 'config', loaded: 0 });
    const config = this.definition.parseConfig(await readModelConfig(modelDir, validatePath ? { validatePath } : {}), join(modelDir, 'config.json'));
    const storage = options.storage ?? this.definition.defaultStorage?.(backend, this.options) ?? 'float32';
    const loaded = await this.definition.load({
      backend,
      modelDir,
      config,
      options: this.options,
      storage,
      kvCacheStorage: options.kvCacheStorage,
      contextLength: options.contextLength ?? this.definition.defaultContextLength?.(this.options),
      prefillChunkSize: options.prefillChunkSize,
      signal: options.signal,
      validatePath,
      limits,
      onProgress: (p) => progress?.({ phase: 'weights', loaded: p.loaded, total: p.total, unit: 'tensors', item: p.name }),
    });
    try {
      progress?.({ phase: 'tokenizer', loaded: 0 });
      const { model } = loaded;
      const runtime = await loadTextModelRuntime<Extras>({
        model,
        modelDir,
        ...(validatePath ? { validatePath } : {}),
        ...(this.definition.generationDefaults ? { generationDefaults: this.definition.generationDefaults(config) } : {}),
        hooks: (tokenizer) => this.definition.runtime?.({ model, config, options: this.options, modelDir, tokenizer, validatePath, fetch, limits }),
      });
      options.signal?.throwIfAborted();
      this.loaded = { ...loaded, config, runtime };
    } catch (error) {
      await release(loaded);
      throw error;
    }
    progress?.({ phase: 'ready', loaded: 1, total: 1 });
  }

  async infer(input: TextInferInput, options: InferOptions = {}) {
    const { model } = this.requireLoaded();
    options.signal?.throwIfAborted();
    checkTokenIds(input.inputIds, model.vocabSize);
    return this.definition.infer(model, input, options);
  }

  async cleanup(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) await release(loaded);
  }

  tokenize(text: string): number[] {
    return this.requireLoaded().runtime.tokenize(text);
  }

  detokenize(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string {
    return this.requireLoaded().runtime.detokenize(ids, options);
  }

  async generate(input: GenerateInput) {
    return this.requireLoaded().runtime.generate(input);
  }

  streamGenerate(input: GenerateInput) {
    return this.stream((runtime) => runtime.streamGenerate(input));
  }

  async generateText(prompt: string | ContentPart[], options?: GenerateTextOptions) {
    return this.requireLoaded().runtime.generateText(prompt, options);
  }

  streamText(prompt: string | ContentPart[], options?: GenerateTextOptions) {
    return this.stream((runtime) => runtime.streamText(prompt, options));
  }

  async chatCompletion(request: ChatCompletionRequest) {
    return this.requireLoaded().runtime.chatCompletion(request);
  }

  streamChatCompletion(request: ChatCompletionRequest) {
    return this.stream((runtime) => runtime.streamChatCompletion(request));
  }

  streamBatch(requests: readonly BatchGenerationRequest[]) {
    const loaded = this.loaded;
    return loaded ? loaded.runtime.streamBatch(requests) : requests.map(() => this.notLoaded<ChatCompletionDelta>());
  }

  /** The loaded model, or a `PluginStateError`. */
  requireLoaded(): Loaded<Config, Model> {
    if (!this.loaded) throw this.stateError('not loaded', 'call loadModel({ modelPath }) first');
    return this.loaded;
  }

  /** The runtime's stream when a model is loaded; otherwise a stream that rejects on first read. */
  private stream<T>(open: (runtime: TextModelRuntime) => AsyncIterable<T>): AsyncIterable<T> {
    return this.loaded ? open(this.loaded.runtime) : this.notLoaded<T>();
  }

  /** A stream that rejects with `PluginStateError` on first read. */
  private notLoaded<T>(): AsyncIterable<T> {
    const error = this.stateError('not loaded', 'call loadModel({ modelPath }) first');
    return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
  }

  private stateError(state: string, message: string): PluginStateError {
    return new PluginStateError({ pluginName: this.metadata.name, state, message });
  }
}

async function release<Model extends DisposableModel>(loaded: LoadedTextModel<Model>): Promise<void> {
  loaded.model.dispose();
  await loaded.close?.();
}
