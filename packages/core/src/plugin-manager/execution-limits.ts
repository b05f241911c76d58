import { z } from 'zod';

/** zod schema of {@link ExecutionLimits}. */
export const executionLimitsSchema = z.strictObject({
  /** Plugin executions (or batches of generations) running at once, across all plugins of a manager. Default 1 (one model computes at a time). */
  maxConcurrentExecutions: z.number().int().positive().default(1),
  /** Executions waiting for a slot; one more is refused with `ResourceLimitError`. Default 16. */
  maxQueuedExecutions: z.number().int().nonnegative().default(16),
  /**
   * Most generations of one model that run as one batch (`streamGeneration` on plugins with `streamBatch`). Generations
   * waiting for the same model together run together; a running batch takes no new ones. 1 = no batching. Default 8.
   */
  maxBatchSize: z.number().int().positive().default(8),
  /** Most new tokens one execution may ask for; also the default when a call does not say. */
  maxNewTokens: z.number().int().positive().optional(),
  /** Longest an execution may run, in milliseconds; it is then aborted with `ExecutionTimeoutError`. */
  timeoutMs: z.number().int().positive().optional(),
  /**
   * Most pixels one image may take in a model's vision encoder; plugins resize larger images down before any tensor is
   * built (Qwen3-VL: its `smart_resize`). Passed to plugins as `initialize({ limits })`. Default: the plugin's own.
   */
  maxVisionPixels: z.number().int().positive().optional(),
  /** Most memory one model may take, in bytes (on top of what the hardware allows). */
  memoryBytes: z.number().positive().optional(),
});

/** Limits a `PluginManager` enforces (all optional when given to `createPluginManager`). */
export type ExecutionLimits = z.output<typeof executionLimitsSchema>;

/** {@link ExecutionLimits} as passed in (fields with defaults may be left out). */
export type ExecutionLimitsInput = z.input<typeof executionLimitsSchema>;
