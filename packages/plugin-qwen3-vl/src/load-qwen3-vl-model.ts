import { join } from 'node:path';
import { readModelConfig, type Backend, type SequenceBufferStorage, type WeightStorage } from '@pio/core';
import { loadCheckpointModel } from '@pio/core/plugin-kit';
import type { LoadProgress as WeightLoadProgress, WeightLoadReport } from '@pio/core/weights';
import { qwen3VLConfigJsonSchema, toQwen3VLConfig, type Qwen3VLConfig } from './qwen3-vl-config.js';
import { Qwen3VLModel } from './qwen3-vl-model.js';
import { QWEN3_VL_WEIGHT_RENAMES } from './weight-map.js';

/** Options of {@link loadQwen3VLModel}. */
export interface LoadQwen3VLModelOptions {
  /** Storage of the linear and embedding weights (default: float32). */
  storage?: WeightStorage;
  /** Element type of the KV cache on backends that keep it in place (default: float32). */
  kvCacheStorage?: SequenceBufferStorage;
  /** Positions a session may hold (default from the config's `max_position_embeddings`: `resolveContextLength`). */
  contextLength?: number;
  /** Prompt positions per prefill forward pass (default 512). */
  prefillChunkSize?: number;
  /** Called after each uploaded tensor. */
  onProgress?: (progress: WeightLoadProgress) => void;
  /** Cancels loading (weights loaded so far are freed). */
  signal?: AbortSignal;
  /** The path guard every file goes through (config, index, shards); a plugin passes its `validatePath`. */
  validatePath?: (path: string) => Promise<string>;
}

/** Reads and parses `config.json` of a model folder (throws `ConfigFileError` or `InvalidConfigError`). */
export async function readQwen3VLConfig(modelDir: string, validatePath?: (path: string) => Promise<string>): Promise<Qwen3VLConfig> {
  const parsed = await readModelConfig(modelDir, { schema: qwen3VLConfigJsonSchema, validatePath });
  return toQwen3VLConfig(parsed, join(modelDir, 'config.json'));
}

/**
 * Loads a Qwen3-VL model folder (config.json + model.safetensors or sharded safetensors, F32/BF16/F16) onto `backend`.
 * Every checkpoint tensor must be used and every expected one present (throws `WeightLoadError` otherwise).
 */
export async function loadQwen3VLModel(
  backend: Backend,
  modelDir: string,
  options: LoadQwen3VLModelOptions = {},
): Promise<{ model: Qwen3VLModel; config: Qwen3VLConfig; report: WeightLoadReport }> {
  const { storage, kvCacheStorage, contextLength, prefillChunkSize, validatePath } = options;
  const config = await readQwen3VLConfig(modelDir, validatePath);
  const { model, report } = await loadCheckpointModel(
    backend,
    modelDir,
    { rename: QWEN3_VL_WEIGHT_RENAMES, storage, onProgress: options.onProgress, signal: options.signal, validatePath },
    (weights) => Qwen3VLModel.load(backend, weights, config, { storage, kvCacheStorage, contextLength, prefillChunkSize }),
  );
  return { model, config, report };
}
