import type {
  BatchGenerationRequest,
  ChatCompletionDelta,
  ContentPart,
  ExecutePluginOptions,
  GenerateTextResult,
  LoadProgress,
  Modality,
  StreamGenerationOptions,
  TextModelPluginInterface,
} from '@pio/core';

/** A model the host serves under an id. */
export interface HostedModel {
  /** The id clients use (`model` in OpenAI requests). */
  readonly id: string;
  /** Name of the plugin running it, e.g. `qwen3-vl`. */
  readonly pluginName: string;
  /** Model folder or Hub id it was loaded from. */
  readonly source: string;
  /** Unix time (seconds) it was registered. */
  readonly created: number;
  /** The loaded plugin instance. */
  readonly plugin: TextModelPluginInterface;
  /** Where it runs, when the host knows: device and weight storage chosen, and the backend (the load line shows it). */
  readonly runtime?: HostedRuntime;
}

/** Where a hosted model runs. */
export interface HostedRuntime {
  readonly device: string;
  /** Weight storage, e.g. `float32`, `q8_0`. */
  readonly storage: string;
  /** Backend package name, e.g. `ggml`, `tfjs`. */
  readonly backend?: string;
  /** Engine, e.g. `ggml-cpu`, `tfjs-wasm`. */
  readonly engine?: string;
  /** CPU threads the backend computes with, when it says. */
  readonly threads?: number;
}

/** A plugin the host can run models with. */
export interface HostedPluginSummary {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly architectures: readonly string[];
  readonly modelTypes: readonly string[];
  readonly modalities: { readonly input: readonly Modality[]; readonly output: readonly Modality[] };
  /** npm package providing it, when known. */
  readonly packageName?: string;
}

/** What {@link ModelHost.registerModel} needs. */
export interface RegisterModelRequest {
  /** Id to serve it under. */
  readonly modelId: string;
  /** Plugin to use; found from the model's `config.json` when omitted. */
  readonly pluginId?: string;
  /** Model folder or Hub id (`org/name`). */
  readonly source: string;
  /** Cancels loading. */
  readonly signal?: AbortSignal;
  /** Loading progress. */
  readonly onProgress?: (progress: LoadProgress) => void;
}

/**
 * The seam between the HTTP server and whatever loads models (the PIO plugin manager in the CLI, a
 * fake in tests). The server depends only on this interface.
 */
export interface ModelHost {
  /** Models currently served, in registration order. */
  listModels(): readonly HostedModel[];
  /** The model served under `id`, if any. */
  getModel(id: string): HostedModel | undefined;
  /** Loads a model and serves it under `modelId`. Throws `ModelAlreadyRegisteredError` when the id is taken. */
  registerModel(request: RegisterModelRequest): Promise<HostedModel>;
  /**
   * Streams one generation of model `id` through the host's scheduler (for the manager host: the `PluginManager`'s
   * queue and limits, batched with the generations waiting for the same model). See `PluginManager.streamGeneration`.
   */
  streamGeneration(id: string, request: BatchGenerationRequest, options?: StreamGenerationOptions): AsyncIterable<ChatCompletionDelta>;
  /** `generateText` of model `id` through the host's scheduler, alone (for the manager host: `executePlugin`). */
  generateText(id: string, prompt: string | ContentPart[], options?: ExecutePluginOptions): Promise<GenerateTextResult>;
  /** Stops serving a model and frees it (running generations are aborted first); false when no such id. */
  unregisterModel(id: string): Promise<boolean>;
  /** Plugins available for {@link ModelHost.registerModel}. */
  listPlugins(): Promise<readonly HostedPluginSummary[]>;
  /** Frees every model. */
  close(): Promise<void>;
}
