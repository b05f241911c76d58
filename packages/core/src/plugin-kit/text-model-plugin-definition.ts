import type { z } from 'zod';
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import type { GenerationDefaults } from '../generation/generation-defaults.js';
import type { CausalLM, PromptBatch } from '../model/causal-lm.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';
import type { InferOptions, MemoryEstimateOptions, PluginInitializeOptions } from '../plugin/model-plugin-interface.js';
import type { TextInferInput, TextInferOutput } from '../plugin/text-model-plugin-interface.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { CheckpointWeightSource } from '../weights/checkpoint-weight-source.js';
import type { WeightLoadReport } from '../weights/weight-load-report.js';
import type { DisposableModel, LoadCheckpointModelOptions, LoadedCheckpointModel } from './load-checkpoint-model.js';
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
  /** Resident routed experts per MoE layer, when the caller chose (`LoadModelOptions.expertBudget`). */
  readonly expertBudget: number | undefined;
  /** Cancels loading. */
  readonly signal: AbortSignal | undefined;
  /** The manager's path guard: pass it to every file the load opens (e.g. `loadCheckpointModel`'s `validatePath`). */
  readonly validatePath: ((path: string) => Promise<string>) | undefined;
  /** The manager's limits the plugin applies itself. */
  readonly limits: PluginInitializeOptions['limits'];
  /** Per-tensor progress (reported as the `weights` phase). */
  onProgress(progress: { name: string; loaded: number; total: number }): void;
  /**
   * `loadCheckpointModel` on this folder with this load's storage, signal, path guard and progress: `build` takes the
   * weights (renamed by `rename`), every checkpoint tensor must be used or declared `unused`, and everything is freed
   * when building fails.
   */
  loadCheckpoint<M extends DisposableModel>(
    checkpoint: Pick<LoadCheckpointModelOptions, 'rename' | 'unused' | 'keepOpen'>,
    build: (weights: CheckpointWeightSource) => Promise<M>,
  ): Promise<LoadedCheckpointModel<M>>;
}

/** A loaded model and how to release it (the kit disposes it on `cleanup` and when a later load step fails). */
export interface LoadedTextModel<Model> {
  /** The model. */
  model: Model;
  /** What loading found (missing, unexpected and unused tensors), when the model came from a checkpoint. */
  report?: WeightLoadReport;
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
  Methods extends PluginMethods<never> = Record<never, never>,
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
  estimateMemory(
    config: Config,
    storage: WeightStorage,
    options: z.output<OptionsSchema>,
    contextLength: number | undefined,
    /** The caller's whole estimate options (`expertBudget` for mixture-of-experts models). */
    estimateOptions?: MemoryEstimateOptions,
  ): Estimate;
  /** Context length when neither the caller nor the options' `contextLength` name one. Default: from the config. */
  defaultContextLength?(options: z.output<OptionsSchema>): number | undefined;
  /** Storage when neither `loadModel` nor the options' `storage` name one. Default `float32`. */
  defaultStorage?(backend: Backend, options: z.output<OptionsSchema>): WeightStorage | undefined;
  /** Loads the weights (usually through `loadCheckpointModel`, which frees them when loading fails). */
  load(context: TextModelLoadContext<z.output<OptionsSchema>, Config>): Promise<LoadedTextModel<Model>>;
  /** Generation settings the config implies; `generation_config.json` overrides them. */
  generationDefaults?(config: Config): GenerationDefaults;
  /** Model-specific hooks of the text surface (image inputs, output parsing, template variables). */
  runtime?(context: TextModelRuntimeContext<z.output<OptionsSchema>, Config, Model>): TextModelHooks<Extras> | Promise<TextModelHooks<Extras>>;
  /**
   * The raw forward pass: prefill logits `[batch, seq, vocab]`, on the host or as a tensor (the kit reads and frees
   * it). `attentionMask` is filled in (all ones) when the caller gave none.
   */
  infer(model: Model, input: TextInferInput & PromptBatch, options: InferOptions): Promise<TextInferOutput | { logits: Tensor }>;
  /** Plugin-specific methods, e.g. a memory report. */
  methods?: Methods & PluginMethods<Model>;
}

/**
 * Any definition, for the kit's own code, which handles every plugin alike (the plugin's types are checked where
 * `createTextModelPlugin` infers them).
 */
// biome-ignore lint/suspicious/noExplicitAny: the kit's internals take every definition; createTextModelPlugin checks the types
export type AnyTextModelPluginDefinition = TextModelPluginDefinition<z.ZodType, any, any, any, any, any>;
