import type { SequenceBufferStorage, WeightStorage } from '@pio/core';
import type { DecoderShape } from './decoder-shape.js';

/** The engines the side-by-side benchmark runs. */
export type BenchEngine = 'pio' | 'node-llama-cpp';

/**
 * One engine run, as sent to a child process: both engines read the same weights (PIO regenerates them from
 * `shape` and `seed`, or loads `model`; node-llama-cpp reads the GGUF written from them) and the same prompt.
 */
export interface BenchEngineRequest {
  engine: BenchEngine;
  storage: WeightStorage;
  shape: DecoderShape;
  /** Seed of {@link randomWeights} (random weights only). */
  seed: number;
  /**
   * The model folder, when the weights are a model's rather than random: PIO then runs the model through its plugin,
   * which the caller's `runEngine` does (e.g. `pio bench --model`), choosing the prompt with the model's tokenizer.
   */
  model?: string;
  /** The GGUF node-llama-cpp loads. */
  ggufPath: string;
  /** Prompt token ids, prefilled at once; empty when the PIO run with `model` chooses them. */
  prompt: number[];
  /** Prompt length to aim for when `prompt` is empty. */
  promptTokens: number;
  /** Greedy decode steps after the prefill. */
  decodeTokens: number;
  /** CPU threads. */
  threads: number;
  /** Element type of both engines' KV caches (llama.cpp's default is float16). */
  kvCacheStorage: SequenceBufferStorage;
  /**
   * Greedy steps of an untimed warm-up generation of the same prompt before the timed one, in the same process and on
   * a fresh cache (as llama-bench's warm-up run): the timed run then measures a warm engine (code compiled, caches and
   * pages touched, the load's garbage collected) rather than the first generation after loading. 0 or absent: none.
   */
  warmupTokens?: number;
  /** PIO's `repackWeights` ggml option (ggml's CPU extra buffer types); undefined: the backend's default (on). */
  repackWeights?: boolean;
  /** False: PIO's decode session runs the model's forward pass at every step (no recorded-step replay); default on. */
  replaySteps?: boolean;
}
