import type { SequenceBufferStorage, WeightStorage } from '@pio/core';
import type { BenchComparisonRow } from './bench-comparison-row.js';
import type { DecoderShape } from './decoder-shape.js';

/** The result of {@link compareWithNodeLlamaCpp}: the settings and one row per storage. */
export interface BenchComparison {
  /** The decoder shape (with the layer count that ran). */
  shape: DecoderShape;
  /** The model folder, when the weights were a model's rather than random. */
  model?: string;
  storages: WeightStorage[];
  threads: number;
  promptTokens: number;
  decodeTokens: number;
  /** Untimed warm-up steps of each engine before its timed run (`BenchEngineRequest.warmupTokens`). */
  warmupTokens: number;
  /** Runs of each engine per storage (each row reports the median run). */
  runs: number;
  /** KV cache element type of both engines. */
  kvCacheStorage: SequenceBufferStorage;
  /** The memory-bandwidth limit the decode figures are compared with, in bytes per second. */
  bandwidthBytesPerSecond: number;
  /** What PIO's ggml backend stored in a repacked layout, or why nothing (from its first run). */
  pioWeightRepack?: string;
  /** When the run started (ISO 8601). */
  startedAt: string;
  rows: BenchComparisonRow[];
}
