/** Raw timings of one engine run: one prefill of the prompt, then greedy single-token decode steps. */
export interface BenchEngineResult {
  /** Milliseconds from the prompt to the first logits (or first token). */
  prefillMs: number;
  /** Milliseconds of each decode step. */
  decodeMs: number[];
  /** The greedy tokens, starting with the one chosen from the prefill's logits. */
  tokens: number[];
  /** The prompt token ids the engine ran, when it chose them (a PIO run on a model folder). */
  prompt?: number[];
  /** Bytes of the weights one decode step reads (reported by PIO; node-llama-cpp reads the same bytes). */
  weightBytes?: number;
  /** What PIO's ggml backend stored in a repacked layout, or why nothing (`GgmlBackend.weightRepack.reason`). */
  weightRepack?: string;
}
