import type { Backend } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import type { MemoryEstimate } from './memory-estimate.js';
import type { ModelPluginMetadata } from './plugin-metadata.js';
import type { PLUGIN_SPEC_VERSION } from './plugin-spec-version.js';

/** Progress of {@link ModelPluginInterface.loadModel}. */
export interface LoadProgress {
  /** What is happening, e.g. `weights`. */
  phase: 'config' | 'weights' | 'tokenizer' | 'ready';
  /** Units done (tensors or bytes, see `unit`). */
  loaded: number;
  /** Units in all, when known. */
  total?: number;
  /** Unit of `loaded` / `total`. */
  unit?: 'tensors' | 'bytes';
  /** The file or tensor being read. */
  item?: string;
}

/** Options for {@link ModelPluginInterface.initialize}. */
export interface PluginInitializeOptions {
  /** The tensor backend the plugin computes on (passed in explicitly: there is no global backend). */
  backend: Backend;
  /**
   * Checks a path before the plugin reads it; throws `PathNotAllowedError` when the path leaves the allowed roots.
   * Returns the resolved real path. Plugins must pass every path they open through it.
   */
  validatePath?: (path: string) => Promise<string>;
  /**
   * The `fetch` the plugin must use for any network access (image URLs, downloads). The manager passes one that
   * follows the plugin's trust level: it rejects with `NetworkNotAllowedError` for `sandboxed` plugins.
   */
  fetch?: typeof fetch;
  /** The manager's limits a plugin applies itself (see `ExecutionLimits`). */
  limits?: {
    /** Most pixels one image may take in the vision encoder; larger images are resized down before any tensor is built. */
    maxVisionPixels?: number;
  };
}

/** Options for {@link ModelPluginInterface.loadModel}. */
export interface LoadModelOptions {
  /** Folder holding `config.json` and the safetensors files. */
  modelPath: string;
  /** Weight storage type; default chosen by the plugin from the backend's capabilities. */
  storage?: WeightStorage;
  /**
   * Element type of the KV cache on backends that keep it in preallocated buffers (`Backend.createSequenceBuffer`):
   * `float16` halves the cache's memory and rounds cached keys and values. Default `float32` (exact).
   */
  kvCacheStorage?: SequenceBufferStorage;
  /**
   * Positions a generation may hold (prompt and new tokens). Default: the config's `max_position_embeddings`, at most
   * `DEFAULT_CONTEXT_LENGTH_LIMIT` (see `resolveContextLength`). Longer prompts are refused with
   * `ContextLengthExceededError`; `maxNewTokens` is capped by what is left.
   */
  contextLength?: number;
  /** Prompt positions per prefill forward pass (default 512, like llama.cpp's micro-batch). */
  prefillChunkSize?: number;
  /**
   * Mixture-of-experts models: routed experts kept resident per MoE layer (the others stay in the checkpoint and are
   * read on demand into the least recently used slots). Default: every expert resident. Counted by
   * `estimateMemory`; plugins of dense models ignore it.
   */
  expertBudget?: number;
  /** Progress callback. */
  onProgress?: (progress: LoadProgress) => void;
  /** Cancels loading; the plugin frees what it loaded. */
  signal?: AbortSignal;
}

/** Options of {@link ModelPluginInterface.estimateMemory}. */
export interface MemoryEstimateOptions {
  /** The context the model will be loaded with (`LoadModelOptions.contextLength`); default as `loadModel`'s. */
  contextLength?: number;
  /** The resident routed experts per MoE layer the model will be loaded with (`LoadModelOptions.expertBudget`). */
  expertBudget?: number;
}

/** Options for one {@link ModelPluginInterface.infer} call. */
export interface InferOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
}

/**
 * The spec every PIO model plugin implements. Methods are called by the `PluginManager` in this order:
 * `initialize` → `loadModel` → `infer`* → `cleanup`.
 */
export interface ModelPluginInterface<Input = unknown, Output = unknown> {
  /** The plugin spec version implemented; the manager refuses plugins of another version. */
  readonly specificationVersion: typeof PLUGIN_SPEC_VERSION;
  /** Name, version, architectures, modalities, license, trust. */
  readonly metadata: ModelPluginMetadata;
  /** Receives the backend and services. Called once before anything else. */
  initialize(options: PluginInitializeOptions): Promise<void>;
  /** True when the plugin can run the model described by a parsed `config.json`. Must not throw. */
  supportsConfig(config: unknown): boolean;
  /**
   * Memory the model described by `config` needs with the given weight storage, its KV cache counted for the context
   * length `loadModel` would use (`options.contextLength`, or the same default). Throws `InvalidConfigError` on a bad
   * config.
   */
  estimateMemory(config: unknown, storage: WeightStorage, options?: MemoryEstimateOptions): MemoryEstimate;
  /** Loads a model folder. */
  loadModel(options: LoadModelOptions): Promise<void>;
  /** Runs the raw model. */
  infer(input: Input, options?: InferOptions): Promise<Output>;
  /** Frees the model and everything the plugin holds. Safe to call twice and after a failed load. */
  cleanup(): Promise<void>;
}
