import type { Backend } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import type { ConfigManager } from '../config/config-manager.js';
import type { Device, ModelSettingsChoice } from '../config/model-settings.js';
import type { HardwareAnalyzer } from '../hardware/hardware-analyzer.js';
import type { LoadProgress, ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import type { ModelPluginMetadata } from '../plugin/plugin-metadata.js';
import type { PluginFactory } from '../plugin/plugin-factory.js';
import type { ModelPluginMetadataInput } from '../plugin/plugin-metadata-input.js';
import type { BatchGenerationRequest, ChatCompletionDelta, TextExecuteOptions } from '../plugin/text-model-plugin-interface.js';
import type { TrustLevel } from '../plugin/trust-level.js';
import type { NetworkFetchOptions } from '../security/create-network-fetch.js';
import type { TrustPolicy, TrustPolicyOptions } from '../security/trust-policy.js';
import type { DiscoverPluginsOptions, DiscoveryResult } from './discover-plugins.js';
import type { ExecutionLimitsInput } from './execution-limits.js';

/** Options of `createPluginManager`. */
export interface PluginManagerOptions {
  /** The backend every plugin computes on. Not disposed by the manager. */
  backend?: Backend;
  /** Creates a backend for a device when first needed (used when `backend` is not given); disposed by the manager. */
  createBackend?: (device: Device) => Backend | Promise<Backend>;
  /** Which packages may load, and how far they are trusted. Default: `@pio/*` verified, others untrusted. */
  trustPolicy?: TrustPolicy | TrustPolicyOptions;
  /** Folders model paths must lie in (symlinks resolved). Default `[cwd]`. `trusted` plugins are not confined. */
  allowedRoots?: readonly string[];
  /** The Hugging Face Hub cache, readable by `verified` plugins. Default as `huggingface_hub` finds it. */
  hubCacheDir?: string;
  /**
   * Outgoing requests of `verified` and `trusted` plugins (image URLs, downloads): loopback, private, link-local and
   * other non-public addresses are refused after DNS resolution and on every redirect unless `allowPrivateNetwork`
   * (or `allowedHosts`) allows them. Default: refused.
   */
  network?: Pick<NetworkFetchOptions, 'allowPrivateNetwork' | 'allowedHosts' | 'maxRedirects'>;
  /** Execution and memory limits. */
  limits?: ExecutionLimitsInput;
  /** Describes the machine (injectable for tests). Default `createHardwareAnalyzer({ resolveFrom: cwd })`. */
  hardware?: HardwareAnalyzer;
  /** Chooses device and weight storage. Default `new ConfigManager()`. */
  configManager?: ConfigManager;
  /** Folder discovery starts from and default allowed root. Default `process.cwd()`. */
  cwd?: string;
  /** Extra node_modules-like folders scanned by `discoverPlugins`. */
  searchPaths?: readonly string[];
  /**
   * Import a plugin's manifest `source` (TypeScript) before its built `entry`. For workspace development and tests
   * run under a TypeScript-aware loader (vitest, tsx). Default false: `entry` first, `source` only when not built.
   */
  preferSourceEntries?: boolean;
}

/** Options of {@link PluginManager.activatePlugin}. */
export interface ActivatePluginOptions {
  /** The model folder (`config.json` and safetensors). */
  modelPath: string;
  /** Device override (the model must fit on it). */
  device?: Device;
  /** Weight storage override (the model must fit with it). */
  storage?: WeightStorage;
  /** KV cache element type passed to `loadModel` (`float16` halves the cache on backends that keep it in place). */
  kvCacheStorage?: SequenceBufferStorage;
  /** Context length passed to `loadModel` and to the memory estimate (default: the model's, see `resolveContextLength`). */
  contextLength?: number;
  /** Resident routed experts per MoE layer, passed to `loadModel` and to the memory estimate (default: every expert). */
  expertBudget?: number;
  /** Loading progress. */
  onProgress?: (progress: LoadProgress) => void;
  /** Cancels activation. Concurrent calls for the same model share the first call's activation and its signal. */
  signal?: AbortSignal;
  /**
   * The id the loaded model is known by (`executePlugin`, `streamGeneration`, `deactivatePlugin`, `listModels`).
   * Default: the model folder's name. One id holds one model.
   */
  modelId?: string;
}

/** Options of {@link PluginManager.executePlugin}: text options for text plugins, plus a time limit. */
export interface ExecutePluginOptions extends TextExecuteOptions {
  /** Time limit for this call in ms (never above `limits.timeoutMs`). */
  timeoutMs?: number;
}

/** Options of {@link PluginManager.streamGeneration}. */
export interface StreamGenerationOptions {
  /**
   * Ends this generation: it leaves the queue if it has not started, else its row of the batch ends within one decode
   * step (the stream then ends with finish reason `abort`; the other rows go on).
   */
  signal?: AbortSignal;
  /** Time limit for this generation in ms, from when it starts running (never above `limits.timeoutMs`). */
  timeoutMs?: number;
  /**
   * The caller reads the answer as it is produced. Matters only for plugins without `streamBatch`: a chat that is not
   * streamed runs through `chatCompletion`. Default true.
   */
  streamed?: boolean;
}

/** Options of {@link PluginManager.registerPlugin}. */
export interface RegisterPluginOptions {
  /** npm package the plugin comes from; when set, the trust policy decides its level. */
  packageName?: string;
  /** Trust level of a plugin registered without `packageName`. Default `verified`. */
  trustLevel?: TrustLevel;
  /** Replace a registered, inactive plugin of the same name instead of refusing. Default false. */
  replace?: boolean;
}

/** Lifecycle state of a registered plugin. */
export type PluginState = 'inactive' | 'activating' | 'active' | 'deactivating';

/** What {@link PluginManager.listPlugins} reports for one plugin. */
export interface PluginInfo extends ModelPluginMetadata {
  /** npm package, when the plugin came from one. */
  packageName?: string;
  /** Package folder (real path), when the plugin came from a package. */
  packageDir?: string;
  /** How it was registered. */
  origin: 'discovered' | 'directory' | 'registered';
  /** Its trust level under the manager's policy. */
  trustLevel: TrustLevel;
  /** Lifecycle state. */
  state: PluginState;
  /** `state === 'active'`. */
  active: boolean;
  /** True once the plugin's code has been imported. */
  codeLoaded: boolean;
  /** The loaded model folder (real path), when it runs exactly one model. */
  modelPath?: string;
  /** Device and storage chosen for the loaded model, when it runs exactly one model. */
  settings?: ModelSettingsChoice;
  /** Ids of the models it loads or runs (see {@link PluginManager.listModels}). */
  modelIds: string[];
}

/** What {@link PluginManager.listModels} reports for one loaded (or loading) model. */
export interface LoadedModelInfo {
  /** The model's id (`ActivatePluginOptions.modelId`, default the folder's name). */
  id: string;
  /** The plugin that runs it. */
  pluginName: string;
  /** Lifecycle state of this model. */
  state: PluginState;
  /** The model folder (real path once active; the requested path while loading). */
  modelPath: string;
  /** Device and storage chosen, when active. */
  settings?: ModelSettingsChoice;
}

/**
 * Finds, activates, runs and deactivates model plugins. Create one with `createPluginManager`; there is no
 * global instance. Every method is safe to call concurrently.
 */
export interface PluginManager {
  /** Scans node_modules (from `cwd` upwards, plus `searchPaths`) and registers the plugin packages found. */
  discoverPlugins(options?: DiscoverPluginsOptions): Promise<DiscoveryResult>;
  /** Registers the plugin packages in the subfolders of `dir`. */
  loadPluginsFromDirectory(dir: string): Promise<DiscoveryResult>;
  /**
   * Registers a plugin object or factory from code. `manifest` is the plugin's static metadata; without it a
   * factory is called once to read its metadata (that instance serves the first activation). A plugin object is
   * reused by every activation (re-initialized after `cleanup`); a factory gives a fresh instance each time.
   */
  registerPlugin(plugin: ModelPluginInterface | PluginFactory, manifest?: ModelPluginMetadataInput, options?: RegisterPluginOptions): Promise<PluginInfo>;
  /** Every registered plugin with its state (active while it runs any model). */
  listPlugins(): PluginInfo[];
  /** Every loaded or loading model, by id. */
  listModels(): LoadedModelInfo[];
  /**
   * Loads a model with a plugin under a model id (`options.modelId`, default the folder's name): checks trust and the
   * path, reads config.json, imports the plugin's code if needed, checks the model fits (before loading anything),
   * then `initialize` + `loadModel` on a fresh instance from the plugin's factory, so one plugin runs many models.
   * Activating again with the same id and model returns the same plugin; another model under a taken id throws
   * `PluginStateError` (deactivate it first), and so does a second model of a plugin registered as one object.
   */
  activatePlugin(name: string, options: ActivatePluginOptions): Promise<ModelPluginInterface>;
  /**
   * Runs a loaded model within the limits: text plugins get `generateText(input, options)`, others
   * `infer(input, { signal })`. `name` is a model id, or a plugin name when that plugin runs one model.
   */
  executePlugin(name: string, input: unknown, options?: ExecutePluginOptions): Promise<unknown>;
  /**
   * Streams one text generation (a chat, or a prompt as `generateText` takes it) of an active text plugin through the
   * manager's queue, within the same limits as {@link PluginManager.executePlugin} (`maxConcurrentExecutions`,
   * `maxQueuedExecutions`, `maxNewTokens`, `timeoutMs`). Generations that wait for the same model together run as
   * one batch (`plugin.streamBatch`, up to `limits.maxBatchSize`), each with its own options and the same tokens as
   * alone. Nothing is queued until the stream is first read; stopping to read ends the request's row.
   *
   * The stream throws `ResourceLimitError` when the queue is full or `maxNewTokens` is passed, `ExecutionAbortedError`
   * when the signal fires while it waits or the plugin is deactivated, and `ExecutionTimeoutError` after the row was
   * ended by the time limit. A signal that fires while it runs ends the stream with finish reason `abort`.
   */
  streamGeneration(name: string, request: BatchGenerationRequest, options?: StreamGenerationOptions): AsyncIterable<ChatCompletionDelta>;
  /**
   * Aborts running executions, waits for them, then unloads the model `name` (a model id), or every model of the
   * plugin `name`. Resolves false when nothing was active.
   */
  deactivatePlugin(name: string): Promise<boolean>;
  /** The plugin that runs the model in `modelPath` (by its config.json), or `undefined`. */
  findPluginForModel(modelPath: string): Promise<PluginInfo | undefined>;
  /** Deactivates every plugin, disposes the backends the manager created, and forgets every plugin. */
  dispose(): Promise<void>;
}
