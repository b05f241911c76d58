import { z } from 'zod';
import type { WeightStorage } from '../backend/weight-storage.js';

const STORAGES = ['float32', 'float16', 'bfloat16', 'int8', 'int4', 'q8_0', 'q4_0', 'q4_k'] as const satisfies readonly WeightStorage[];

/**
 * The options every text model plugin may take, for its own schema to extend (`.extend({ ... })`): the kit reads
 * `storage` and `contextLength` as the plugin's defaults for `loadModel` and `estimateMemory`.
 */
export const textModelPluginOptionsSchema = z.object({
  /** Default weight storage for linear and embedding weights when `loadModel` names none. */
  storage: z.enum(STORAGES).optional(),
  /**
   * Context length (tokens) of loaded models and of `estimateMemory` when `loadModel`/`estimateMemory` name none.
   * Default: the config's `max_position_embeddings`, at most `DEFAULT_CONTEXT_LENGTH_LIMIT` (`resolveContextLength`).
   */
  contextLength: z.number().int().positive().optional(),
});
