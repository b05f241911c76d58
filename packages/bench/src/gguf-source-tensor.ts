/**
 * One decoder tensor to write as GGUF, read when its turn comes: row-major float32 in Hugging Face layout (linear
 * weights `[out, in]`), named as in a llama.cpp `qwen3` GGUF. Internal to the benchmark.
 */
export interface GgufSourceTensor {
  /** llama.cpp GGUF name, e.g. `blk.0.attn_q.weight`. */
  name: string;
  shape: readonly number[];
  /** True for matrices (encoded in the storage); norms stay float32. */
  matrix: boolean;
  load(): Promise<Float32Array>;
}
