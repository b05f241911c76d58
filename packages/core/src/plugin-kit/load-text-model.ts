import { join } from 'node:path';
import type { z } from 'zod';
import type { Backend } from '../backend/backend.js';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { readModelConfig } from '../config/read-model-config.js';
import type { PluginInitializeOptions } from '../plugin/model-plugin-interface.js';
import type { WeightLoadReport } from '../weights/weight-load-report.js';
import { loadCheckpointModel } from './load-checkpoint-model.js';
import type { AnyTextModelPluginDefinition } from './text-model-plugin-definition.js';

/** Options of a plugin factory's `loadModel` (see `createTextModelPlugin`): the load settings of `LoadModelOptions`. */
export interface TextModelLoadOptions {
  /** Storage of the linear and embedding weights (default: the plugin's). */
  storage?: WeightStorage;
  /** KV cache element type on backends that keep it in place. */
  kvCacheStorage?: SequenceBufferStorage;
  /** Positions a session may hold (default: the plugin's option, else from the config). */
  contextLength?: number;
  /** Prompt positions per prefill forward pass. */
  prefillChunkSize?: number;
  /** Routed experts resident per MoE layer (mixture-of-experts models; default all). */
  expertBudget?: number;
  /** Cancels loading (what was loaded is freed). */
  signal?: AbortSignal;
  /** The path guard every file goes through (config, index, shards). */
  validatePath?: (path: string) => Promise<string>;
  /** Limits the plugin applies itself. */
  limits?: PluginInitializeOptions['limits'];
  /** Per-tensor progress. */
  onProgress?: (progress: { name: string; loaded: number; total: number }) => void;
}

/** A model loaded without a plugin instance: dispose `model`, then `close()` (checkpoint files kept open for lazy weights). */
export interface LoadedTextModelFolder<Config, Model> {
  /** The model. */
  readonly model: Model;
  /** The folder's parsed `config.json`. */
  readonly config: Config;
  /** What loading found (missing, unexpected and unused tensors), when the model came from a checkpoint. */
  readonly report: WeightLoadReport | undefined;
  /** Closes what the model still reads from; call after disposing the model. */
  close(): Promise<void>;
}

/** The plugin's default storage and context length: its options' `storage` / `contextLength`, else its hooks'. */
export function pluginDefaults(definition: AnyTextModelPluginDefinition, backend: Backend | undefined, options: unknown) {
  const fields = (typeof options === 'object' && options !== null ? options : {}) as { storage?: WeightStorage; contextLength?: number };
  return {
    storage: fields.storage ?? (backend && definition.defaultStorage?.(backend, options)),
    contextLength: fields.contextLength ?? definition.defaultContextLength?.(options),
  };
}

/**
 * Reads `config.json` of `modelDir` (through `validatePath`), parses it with the definition and runs its `load` with
 * the settings resolved (the caller's, else the plugin's defaults, else `float32`). The plugin's `loadModel` and its
 * factory's `loadModel` (tests, benchmarks) both load through here.
 */
export async function loadTextModel<Config, Model>(
  definition: AnyTextModelPluginDefinition,
  backend: Backend,
  modelDir: string,
  pluginOptions: unknown,
  options: TextModelLoadOptions = {},
): Promise<LoadedTextModelFolder<Config, Model>> {
  const { validatePath, signal } = options;
  const config = definition.parseConfig(await readModelConfig(modelDir, validatePath ? { validatePath } : {}), join(modelDir, 'config.json')) as Config;
  const defaults = pluginDefaults(definition, backend, pluginOptions);
  const storage = options.storage ?? defaults.storage ?? 'float32';
  const onProgress = options.onProgress ?? (() => {});
  const loaded = await definition.load({
    backend,
    modelDir,
    config,
    options: pluginOptions,
    storage,
    kvCacheStorage: options.kvCacheStorage,
    contextLength: options.contextLength ?? defaults.contextLength,
    prefillChunkSize: options.prefillChunkSize,
    expertBudget: options.expertBudget,
    signal,
    validatePath,
    limits: options.limits,
    onProgress,
    loadCheckpoint: (checkpoint, build) => loadCheckpointModel(backend, modelDir, { ...checkpoint, storage, signal, validatePath, onProgress }, build),
  });
  return { model: loaded.model as Model, config, report: loaded.report, close: async () => loaded.close?.() };
}
