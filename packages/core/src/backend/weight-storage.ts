/**
 * How a weight is stored on its backend.
 *
 * - `float32`, `float16`, `bfloat16`: plain floating point.
 * - `int8`, `int4`: weight-only quantization with one float scale per group of input columns
 *   (symmetric, group size given by {@link WeightOptions.groupSize}).
 * - `q8_0`, `q4_0`, `q4_k`: ggml block formats (graph backends only).
 */
export type WeightStorage = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'int4' | 'q8_0' | 'q4_0' | 'q4_k';

/** Bytes per element of each {@link WeightStorage}, block scales included (approximate for block formats). */
export const WEIGHT_STORAGE_BYTES: Readonly<Record<WeightStorage, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int8: 1 + 4 / 64,
  int4: 0.5 + 4 / 64,
  q8_0: 34 / 32,
  q4_0: 18 / 32,
  q4_k: 144 / 256,
};

/** What a weight is used for; lets a backend pick its memory layout once, at upload. */
export type WeightRole =
  /**
   * A `[out, in]` matrix used by {@link Backend.linear} (Hugging Face `nn.Linear.weight` layout), or a stack of them
   * `[..., out, in]` used as the second operand of {@link Backend.matmul} with `transposeB` (kept in its storage where
   * the backend multiplies that storage directly).
   */
  | 'linear'
  /** A `[rows, dim]` table used by {@link Backend.gather} on axis 0 (embeddings). */
  | 'embedding'
  /**
   * A stack `[experts, out, in]` of `[out, in]` matrices read only as the weight of {@link Backend.expertMatmul}
   * (mixture-of-experts layers). A backend may hold it in a layout only that op reads (ggml's repacked CPU layouts,
   * as llama.cpp holds its expert tensors); {@link Backend.writeWeightRows} may then refuse it, so a stack whose rows
   * are rewritten later (resident expert slots) is uploaded as `linear`.
   */
  | 'experts'
  /** Anything else (norm scales, biases, position tables): used as a plain tensor by any op. */
  | 'plain';

/** Options for {@link Backend.weight}. */
export interface WeightOptions {
  /** How the weight is used. Default `plain`. */
  role?: WeightRole;
  /** Requested storage; the backend falls back to the closest it supports (see {@link BackendCapabilities}). Default `float32`. */
  storage?: WeightStorage;
  /** Group size for `int8` / `int4` storage. Default 64 (must divide the input dimension, else the backend uses float32). */
  groupSize?: number;
  /** Name used in error messages (the checkpoint tensor name). */
  name?: string;
}
