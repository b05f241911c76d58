import type { z } from 'zod';
import type { Backend } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { parseConfig as parseWithSchema } from '../config/parse-config.js';
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
import { loadTextModel, pluginDefaults, type LoadedTextModelFolder, type TextModelLoadOptions } from './load-text-model.js';
import { loadTextModelRuntime } from './load-text-model-runtime.js';
import { readPluginMetadata } from './read-plugin-metadata.js';
import type { AnyTextModelPluginDefinition, PluginMethods, TextModelPluginDefinition } from './text-model-plugin-definition.js';

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
export interface TextModelPluginFactory<OptionsSchema extends z.ZodType, Config, Model, Methods, Estimate extends MemoryEstimate = MemoryEstimate> {
  /** A fresh plugin instance (one model); invalid `options` are an `InvalidConfigError`. */
  (options?: z.input<OptionsSchema>): TextModelPlugin<Model, Methods, Estimate>;
  /**
   * Loads a model folder without a plugin instance (tests, benchmarks, advanced use): no tokenizer or text surface,
   * the model's own API only. `pluginOptions` are the factory's options.
   */
  loadModel(
    backend: Backend,
    modelDir: string,
    options?: TextModelLoadOptions,
    pluginOptions?: z.input<OptionsSchema>,
  ): Promise<LoadedTextModelFolder<Config, Model>>;
}

/**
 * Builds a text model plugin from what is model-specific (see {@link TextModelPluginDefinition}) and returns its
 * factory; each call of the factory is a fresh instance holding one model. The kit supplies the lifecycle
 * (`initialize` → `loadModel` → calls → `cleanup`), guards (promise and stream methods reject with
 * `PluginStateError` before a model is loaded, never throw synchronously), metadata from the package's `pio`
 * manifest, the path guard on the model folder, `config.json`, tokenizer, chat template and `generation_config.json`
 * reading, the text/chat/stream/batch surface over `createTextModelRuntime`, and cleanup of a failed load. The
 * factory's `loadModel` loads a folder through the same definition without an instance (tests, benchmarks).
 */
export function createTextModelPlugin<
  OptionsSchema extends z.ZodType,
  Config,
  Model extends CausalLM<Extras> & DisposableModel,
  Extras = undefined,
  Methods extends PluginMethods<never> = Record<never, never>,
  Estimate extends MemoryEstimate = MemoryEstimate,
>(
  definition: TextModelPluginDefinition<OptionsSchema, Config, Model, Extras, Methods, Estimate>,
): TextModelPluginFactory<OptionsSchema, Config, Model, Methods, Estimate> {
  const kit = definition as unknown as AnyTextModelPluginDefinition;
  const parseOptions = (options: unknown) => {
    const source = `options of the ${readPluginMetadata(definition.module).name} plugin`;
    return parseWithSchema(definition.optionsSchema, options ?? {}, { source }) as z.output<OptionsSchema>;
  };
  const factory = (options?: z.input<OptionsSchema>) => {
    const plugin = new KitTextModelPlugin(kit, readPluginMetadata(definition.module), parseOptions(options));
    for (const [name, method] of Object.entries(definition.methods ?? {})) {
      Object.defineProperty(plugin, name, { value: (...args: never[]) => method(plugin.requireLoaded().model as Model, ...args) });
    }
    return plugin as unknown as TextModelPlugin<Model, Methods, Estimate>;
  };
  const loadModel = (backend: Backend, modelDir: string, options?: TextModelLoadOptions, pluginOptions?: z.input<OptionsSchema>) =>
    loadTextModel<Config, Model>(kit, backend, modelDir, parseOptions(pluginOptions), options);
  return Object.assign(factory, { loadModel });
}

type KitModel = CausalLM<unknown> & DisposableModel;

interface Loaded extends LoadedTextModelFolder<unknown, KitModel> {
  readonly runtime: TextModelRuntime;
}

/** The plugin instance every factory makes: one definition, one model at a time. */
class KitTextModelPlugin implements TextModelPluginInterface {
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  readonly kind = 'text' as const;
  private backend?: Backend;
  private services: Omit<PluginInitializeOptions, 'backend'> = {};
  private loaded?: Loaded;

  constructor(
    private readonly definition: AnyTextModelPluginDefinition,
    readonly metadata: ModelPluginMetadata,
    private readonly options: unknown,
  ) {}

  get model(): KitModel | undefined {
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

  estimateMemory(config: unknown, storage: WeightStorage, options: MemoryEstimateOptions = {}): MemoryEstimate {
    const contextLength = options.contextLength ?? pluginDefaults(this.definition, this.backend, this.options).contextLength;
    return this.definition.estimateMemory(this.definition.parseConfig(config, 'config.json'), storage, this.options, contextLength, options);
  }

  async loadModel(options: LoadModelOptions): Promise<void> {
    const backend = this.backend;
    if (!backend) throw this.stateError('uninitialized', 'call initialize({ backend }) first');
    await this.cleanup();
    const { validatePath, fetch, limits } = this.services;
    const modelDir = validatePath ? await validatePath(options.modelPath) : options.modelPath;
    const progress = options.onProgress;
    progress?.({ phase: 'config', loaded: 0 });
    const loaded = await loadTextModel<unknown, KitModel>(this.definition, backend, modelDir, this.options, {
      ...options,
      validatePath,
      limits,
      onProgress: (p) => progress?.({ phase: 'weights', loaded: p.loaded, total: p.total, unit: 'tensors', item: p.name }),
    });
    try {
      progress?.({ phase: 'tokenizer', loaded: 0 });
      const { model, config } = loaded;
      const runtime = await loadTextModelRuntime<unknown>({
        model,
        modelDir,
        ...(validatePath ? { validatePath } : {}),
        ...(this.definition.generationDefaults ? { generationDefaults: this.definition.generationDefaults(config) } : {}),
        hooks: (tokenizer) => this.definition.runtime?.({ model, config, options: this.options, modelDir, tokenizer, validatePath, fetch, limits }),
      });
      options.signal?.throwIfAborted();
      this.loaded = { ...loaded, runtime };
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
    const attentionMask = input.attentionMask ?? input.inputIds.map((row) => row.map(() => 1));
    const { logits } = await this.definition.infer(model, { ...input, attentionMask }, options);
    if (!('dispose' in logits)) return { logits };
    try {
      const data = await logits.data();
      return { logits: { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [...logits.shape] } };
    } finally {
      logits.dispose();
    }
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
  requireLoaded(): Loaded {
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

async function release(loaded: LoadedTextModelFolder<unknown, DisposableModel>): Promise<void> {
  loaded.model.dispose();
  await loaded.close();
}
