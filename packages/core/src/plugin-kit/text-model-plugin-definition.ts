import type { z } from 'zod';
import type { Backend } from '../backend/backend.js';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import type { GenerationDefaults } from '../generation/generation-defaults.js';
import type { CausalLM } from '../model/causal-lm.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';
import type { InferOptions, PluginInitializeOptions } from '../plugin/model-plugin-interface.js';
import type { TextInferInput, TextInferOutput } from '../plugin/text-model-plugin-interface.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { DisposableModel } from './load-checkpoint-model.js';
import type { TextModelHooks } from './load-text-model-runtime.js';

/** What a plugin's `load` gets: the checked folder, its parsed config and the load settings. */
export interface TextModelLoadContext<Options, Config> {
  /** The backend to load onto. */
  readonly backend: Backend;
  /** The model folder, through the manager's path guard. */
  readonly modelDir: string;
  /** The folder's parsed `config.json`. */
  readonly config: Config;
  /** The plugin's parsed options. */
  readonly options: Options;
  /** Storage of the linear and embedding weights (the caller's, else the definition's default). */
  readonly storage: WeightStorage;
  /** KV cache element type, when the caller chose one. */
  readonly kvCacheStorage: SequenceBufferStorage | undefined;
  /** Positions a session may hold, when the caller chose (`LoadModelOptions.contextLength`, else the plugin's option). */
  readonly contextLength: number | undefined;
  /** Prompt positions per prefill forward pass, when the caller chose (`LoadModelOptions.prefillChunkSize`). */
  readonly prefillChunkSize: number | undefined;
  /** Cancels loading. */
  readonly signal: AbortSignal | undefined;
  /** The manager's path guard: pass it to every file the load opens (e.g. `loadCheckpointModel`'s `validatePath`). */
  readonly validatePath: ((path: string) => Promise<string>) | undefined;
  /** The manager's limits the plugin applies itself. */
  readonly limits: PluginInitializeOptions['limits'];
  /** Per-tensor progress (reported as the `weights` phase). */
  onProgress(progress: { name: string; loaded: number; total: number }): void;
}

/** A loaded model and how to release it (the kit disposes it on `cleanup` and when a later load step fails). */
export interface LoadedTextModel<Model> {
  /** The model. */
  model: Model;
  /** Closes what the model still reads from (e.g. checkpoint files of lazily loaded weights), after `dispose`. */
  close?(): Promise<void>;
}

/** What a plugin's `runtime` hook gets to build its model-specific text hooks. */
export interface TextModelRuntimeContext<Options, Config, Model> {
  readonly model: Model;
  readonly config: Config;
  readonly options: Options;
  readonly modelDir: string;
  readonly tokenizer: Tokenizer;
  /** The manager's path guard, for files the hooks open (e.g. local images). */
  readonly validatePath: ((path: string) => Promise<string>) | undefined;
  /** The `fetch` the plugin must use for network access. */
  readonly fetch: typeof fetch | undefined;
  /** The manager's limits the plugin applies itself (e.g. `maxVisionPixels`). */
  readonly limits: PluginInitializeOptions['limits'];
}

/** Extra methods of a plugin: each receives the loaded model first (the kit rejects the call when none is loaded). */
export type PluginMethods<Model> = Record<string, (model: Model, ...args: never[]) => unknown>;

/**
 * What a text model plugin supplies to `createTextModelPlugin`: its config parsing, memory estimate, loading and
 * forward, plus model-specific hooks. Everything else (lifecycle, guards, metadata, tokenizer, chat template,
 * generation config, the text/chat/stream/batch surface, failed-load cleanup) comes from the kit.
 */
export interface TextModelPluginDefinition<
  OptionsSchema extends z.ZodType,
  Config,
  Model extends CausalLM<Extras> & DisposableModel,
  Extras = undefined,
  Methods extends PluginMethods<Model> = Record<never, never>,
  Estimate extends MemoryEstimate = MemoryEstimate,
> {
  /** `import.meta.url` of a module in the plugin package: the metadata are its package.json's `pio` manifest and version. */
  module: string | URL;
  /** zod schema of the factory's options; invalid options are an `InvalidConfigError`. */
  optionsSchema: OptionsSchema;
  /** Parses a `config.json` (throws `InvalidConfigError` naming the field). `source` is the file, for messages. */
  parseConfig(json: unknown, source: string): Config;
  /**
   * Memory the model of `config` needs with `storage`, its KV cache counted for `contextLength` (the caller's
   * `MemoryEstimateOptions.contextLength`, else the plugin's option; `undefined`: the default `loadModel` would use).
   */
  estimateMemory(config: Config, storage: WeightStorage, options: z.output<OptionsSchema>, contextLength: number | undefined): Estimate;
  /** The plugin's own default context length (e.g. a `contextLength` option), used when the caller names none. */
  defaultContextLength?(options: z.output<OptionsSchema>): number | undefined;
  /** Storage when `loadModel` names none. Default `float32`. */
  defaultStorage?(backend: Backend, options: z.output<OptionsSchema>): WeightStorage;
  /** Loads the weights (usually through `loadCheckpointModel`, which frees them when loading fails). */
  load(context: TextModelLoadContext<z.output<OptionsSchema>, Config>): Promise<LoadedTextModel<Model>>;
  /** Generation settings the config implies; `generation_config.json` overrides them. */
  generationDefaults?(config: Config): GenerationDefaults;
  /** Model-specific hooks of the text surface (image inputs, output parsing, template variables). */
  runtime?(context: TextModelRuntimeContext<z.output<OptionsSchema>, Config, Model>): TextModelHooks<Extras> | Promise<TextModelHooks<Extras>>;
  /** The raw forward pass: prefill logits `[batch, seq, vocab]`. */
  infer(model: Model, input: TextInferInput, options: InferOptions): Promise<TextInferOutput>;
  /** Plugin-specific methods, e.g. a memory report. */
  methods?: Methods;
}
