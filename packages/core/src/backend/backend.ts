import type { HostTensor } from './host-tensor.js';
import type { Tensor, TensorDType } from './tensor.js';
import type { WeightOptions, WeightStorage } from './weight-storage.js';
import type { Weight } from './weight.js';
import type { WeightWriter } from './weight-writer.js';
import type { SequenceBuffer, SequenceBufferOptions } from './sequence-buffer.js';
import type { ExpertRouting, ExpertRoutingOptions } from './expert-routing.js';
import type { StepRecording } from './step-recording.js';

// `Weight` has its own file (weight-writer.ts needs it too); re-exported here for the imports that name this file.
export type { Weight } from './weight.js';

/** The version of the backend spec in this copy of `@pio/core`. Backends declare the version they implement. */
export const BACKEND_SPEC_VERSION = 'v1' as const;

/** What a backend can do; lets callers and the `ConfigManager` choose settings that work. */
export interface BackendCapabilities {
  /** Weight storage types the backend holds natively (others fall back to the nearest supported one). */
  readonly weightStorage: readonly WeightStorage[];
  /** True when ops record a graph computed at sync points (ggml); false when eager (tfjs). */
  readonly lazy: boolean;
  /** Largest total allocation the backend can hold safely, in bytes, or `undefined` when only host memory limits it. */
  readonly maxBytes?: number;
  /** Device kind the backend computes on. */
  readonly device: 'cpu' | 'gpu';
}

/** Memory held by a backend. */
export interface BackendMemory {
  /** Live tensors (weights included). */
  readonly tensors: number;
  /** Bytes allocated by live tensors. */
  readonly bytes: number;
}

/** Layout of the rotary pairs in {@link Backend.rope}. */
export type RopeLayout =
  /** Pairs `(i, i + rotaryDim/2)` (`rotate_half`, Llama / Qwen). */
  | 'half'
  /** Pairs `(2i, 2i + 1)` (GLM / DeepSeek MLA, GPT-J). */
  | 'interleaved';

/** Options for {@link Backend.attention}. */
export interface AttentionOptions {
  /** Multiplier applied to `q · k` before the softmax (usually `headDim ** -0.5`). */
  scale: number;
  /**
   * Additive mask broadcastable to `[batch, heads, queryLen, keyLen]` (typically `[batch, 1, queryLen, keyLen]`),
   * 0 where attention is allowed and a large negative number where it is not. Build it with `buildAttentionMask`.
   */
  mask?: Tensor;
}

/** Values a {@link Backend.scope} callback may return: they survive the scope. */
export type ScopeResult = Tensor | readonly Tensor[] | Record<string, Tensor> | void | number | string | boolean | null | undefined;

/**
 * The tensor backend spec: the op set PIO's model plugins are written against.
 *
 * Rules every implementation follows:
 * - Ops validate their inputs and throw `BackendError` with the op name and the shapes on a mismatch.
 * - Ops return handles; values are read only at sync points (`await tensor.data()`), so a graph backend
 *   can record ops and compute them lazily.
 * - Shapes are row-major; negative axes count from the end. Binary ops broadcast like NumPy.
 * - Ops never modify their inputs.
 * - {@link Backend.scope} frees every tensor created inside the callback that it does not return or
 *   {@link Backend.keep}. The callback is synchronous.
 */
export interface Backend {
  /** The spec version implemented; must equal {@link BACKEND_SPEC_VERSION}. */
  readonly specificationVersion: typeof BACKEND_SPEC_VERSION;
  /** Backend package name, e.g. `tfjs`. */
  readonly name: string;
  /** The engine in use, e.g. `tfjs-wasm`, `tfjs-node`, `ggml-cpu`. */
  readonly engine: string;
  /** What the backend supports. */
  readonly capabilities: BackendCapabilities;

  // ── memory ──────────────────────────────────────────────────────────────────────────────────
  /** Runs `fn`, then frees every tensor it created except those returned or kept. `fn` must be synchronous. */
  scope<T extends ScopeResult>(fn: () => T): T;
  /** Marks a tensor to survive the enclosing scope. Returns it. */
  keep<T extends Tensor>(tensor: T): T;
  /** Live tensors and bytes. */
  memory(): BackendMemory;
  /** Frees everything the backend holds (all tensors and engine state). The backend is unusable afterwards. */
  dispose(): void;

  // ── creation ────────────────────────────────────────────────────────────────────────────────
  /** A tensor from host values. `values.length` must equal the product of `shape`. Default dtype from the array type. */
  tensor(values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): Tensor;
  /** A tensor filled with `value`. */
  fill(shape: readonly number[], value: number, dtype?: TensorDType): Tensor;
  /** Uploads a checkpoint tensor, converting it to the requested storage. The host bytes are not retained. */
  weight(host: HostTensor, options?: WeightOptions): Weight;
  /**
   * Optional: starts a weight uploaded in parts (same conversion as {@link Backend.weight}), so loaders can stream a
   * checkpoint tensor through a small host buffer. `host` describes the tensor; its bytes come through the writer.
   */
  beginWeight?(host: Omit<HostTensor, 'bytes'>, options?: WeightOptions): WeightWriter;
  /**
   * Optional: overwrites whole rows of `weight` in place, from row `firstRow` on (a row is the last axis; a stacked
   * `[experts, out, in]` weight's expert `e` is rows `e * out` to `(e + 1) * out - 1`), converting `host` (`[rows, in]`
   * in any checkpoint encoding) to the weight's storage as {@link Backend.weight} does. The write takes effect after
   * every computation already asked for (reads queued before it see the old rows). Lets a bounded expert cache reuse
   * the slots of one stacked weight, so resident experts stay on the in-graph {@link Backend.expertMatmul} path.
   * Throws a `BackendError` when the rows do not fit or the weight was disposed.
   */
  writeWeightRows?(weight: Weight, firstRow: number, host: HostTensor): Promise<void>;
  /**
   * Optional: a tensor with room for `capacity` positions along one axis, filled in place by appends. `KVCache` uses it
   * (growing geometrically) so that a decode step writes only its new positions instead of copying the whole cache;
   * without it the cache grows with {@link Backend.concat}.
   */
  createSequenceBuffer?(options: SequenceBufferOptions): SequenceBuffer;
  /**
   * Optional, with {@link Backend.createSequenceBuffer}: the multiple of positions a `KVCache` pads decode-step reads
   * to by default, so consecutive decode steps have identical shapes and a graph backend can rerun one compiled graph
   * (ggml: 256, as llama.cpp pads its cache). The cache masks the padding out itself. Absent or 1: no padding.
   */
  readonly kvCachePadding?: number;
  /**
   * Optional (graph backends): runs `record` (code that calls ops, such as a decode step's forward pass), computes and
   * reads the tensor it returns (and disposes it), and keeps that computation as a {@link RecordedStep} that reruns it
   * with new values of `inputs` (host tensors made by {@link Backend.tensor} that the code reads) without running
   * `record` again. The recording is `undefined` when the computation cannot be replayed that way: `record` read a
   * tensor itself (more than one computation), the graph was not one the backend keeps (it had not seen its
   * structure before), or the computation leaves results other than the output and `inputs` in memory the graph
   * owns. Recordings pay off from the second run of the same structure: `CachedDecoderSession` records two
   * consecutive decode steps and, when they {@link RecordedStep.matches | match}, replays the rest.
   */
  recordStep?(inputs: readonly Tensor[], record: () => Promise<Tensor> | Tensor): Promise<StepRecording>;

  // ── shape ───────────────────────────────────────────────────────────────────────────────────
  /** Same values, new shape (one dimension may be -1). */
  reshape(x: Tensor, shape: readonly number[]): Tensor;
  /** Permutes the axes. */
  transpose(x: Tensor, perm: readonly number[]): Tensor;
  /** Joins tensors along `axis`; all other dimensions must match. */
  concat(xs: readonly Tensor[], axis: number): Tensor;
  /** A contiguous block: `size[i] = -1` means "to the end". */
  slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor;
  /** Picks slices of `x` along `axis` at `indices` (int32, any shape). Output shape: `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. */
  gather(x: Tensor, indices: Tensor, axis?: number): Tensor;
  /** Converts element type (float32 to int32 truncates toward zero). */
  cast(x: Tensor, dtype: TensorDType): Tensor;

  // ── elementwise ─────────────────────────────────────────────────────────────────────────────
  add(a: Tensor, b: Tensor | number): Tensor;
  sub(a: Tensor, b: Tensor | number): Tensor;
  mul(a: Tensor, b: Tensor | number): Tensor;
  div(a: Tensor, b: Tensor | number): Tensor;
  maximum(a: Tensor, b: Tensor | number): Tensor;
  neg(x: Tensor): Tensor;
  exp(x: Tensor): Tensor;
  log(x: Tensor): Tensor;
  sqrt(x: Tensor): Tensor;
  rsqrt(x: Tensor): Tensor;
  square(x: Tensor): Tensor;
  /** `x * sigmoid(x)`. */
  silu(x: Tensor): Tensor;
  /** GELU; `tanh` is the tanh approximation (`gelu_pytorch_tanh`), `erf` the exact form. */
  gelu(x: Tensor, approximate: 'tanh' | 'erf'): Tensor;
  sigmoid(x: Tensor): Tensor;
  tanh(x: Tensor): Tensor;
  /**
   * Optional: the gated activation of SwiGLU feed-forward blocks, `silu(gate) * up` elementwise, as one fused op for
   * backends with a kernel for it (ggml's `swiglu`: one graph node per call instead of `silu` + `mul`). `gate` and `up`
   * have the same shape (no broadcasting: a mismatch is a `BackendError`); the result is float32 of that shape and
   * equals `mul(silu(gate), up)` — the same rounding as the two ops, as ggml computes both with one `silu` kernel.
   * `applySwiglu` in `@pio/core/nn` uses it when present and falls back to `silu` + `mul` otherwise.
   */
  swiglu?(gate: Tensor, up: Tensor): Tensor;
  /** `cond ? a : b` elementwise; `cond` is int32 (non-zero is true), all three broadcast. */
  where(cond: Tensor, a: Tensor, b: Tensor): Tensor;

  // ── reductions ──────────────────────────────────────────────────────────────────────────────
  sum(x: Tensor, axis: number, keepDims?: boolean): Tensor;
  mean(x: Tensor, axis: number, keepDims?: boolean): Tensor;
  max(x: Tensor, axis: number, keepDims?: boolean): Tensor;
  /** Index of the largest value along `axis` (first one on ties), int32. */
  argMax(x: Tensor, axis: number): Tensor;
  /** Softmax along `axis` (default last), computed stably. */
  softmax(x: Tensor, axis?: number): Tensor;
  /** log-softmax along `axis` (default last). */
  logSoftmax(x: Tensor, axis?: number): Tensor;
  /** The `k` largest values along the last axis, sorted descending, and their int32 indices (lower index first on ties). */
  topk(x: Tensor, k: number): { values: Tensor; indices: Tensor };
  /** Inclusive cumulative sum along `axis`. */
  cumsum(x: Tensor, axis: number): Tensor;

  // ── linear algebra ──────────────────────────────────────────────────────────────────────────
  /**
   * Batched matrix product `[..., m, k] x [..., k, n]` (batch dims broadcast), with optional transposes of the last two
   * axes. `b` may be a stacked `linear` weight `[..., n, k]` in any storage when `transposeB` is set (the layout a
   * backend multiplies without a per-call transpose).
   */
  matmul(a: Tensor, b: Tensor, options?: { transposeA?: boolean; transposeB?: boolean }): Tensor;
  /** `x @ weight^T (+ bias)`: `x` is `[..., in]`, `weight` is logical `[out, in]` (any storage), `bias` is `[out]`. */
  linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor;

  // ── mixture of experts ─────────────────────────────────────────────────────────────────────
  /**
   * Mixture-of-experts routing on the backend (no host round trip): `logits` `[tokens, numExperts]` → the `topK`
   * chosen experts per token and their weights, as {@link ExpertRoutingOptions} describes. Choosing is exact: the
   * experts with the largest biased scores win, and of equal scores the lower expert index (groups likewise).
   */
  routeExperts(logits: Tensor, options: ExpertRoutingOptions): ExpertRouting;
  /**
   * Expert-indexed matrix products over a stack of expert matrices: `weights` is a stacked `linear` weight
   * `[numExperts, out, in]` (any storage), `experts` int32 `[tokens, slots]`, `x` `[tokens, 1 | slots, in]` (one
   * row per token shared by its slots, or one per slot). Returns `[tokens, slots, out]` with
   * `y[t, s] = weights[experts[t, s]] @ x[t, s or 0]`. Only the chosen experts' matrices are read. An index outside
   * `[0, numExperts)` is a `BackendError` when the indices come from the host (a graph backend cannot check indices it
   * computes itself before running; `routeExperts` only produces valid ones).
   */
  expertMatmul(x: Tensor, weights: Tensor, experts: Tensor): Tensor;

  // ── neural-network ops ─────────────────────────────────────────────────────────────────────
  /** `x / sqrt(mean(x^2, -1) + eps) * weight`, computed in float32; `weight` is `[dim]`. */
  rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor;
  /** LayerNorm over the last axis with `weight` and `bias` of shape `[dim]`. */
  layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor;
  /**
   * Rotary position embedding.
   *
   * `x` is `[batch, seq, heads, headDim]`; `cos` and `sin` are `[batch, seq, rotaryDim / 2]` (one angle per rotated pair,
   * batch may be 1 to broadcast). The first `rotaryDim` features of each head rotate in pairs chosen by `layout`; the rest
   * pass through unchanged. For a pair `(a, b)` with angle `t`: `a' = a cos t - b sin t`, `b' = b cos t + a sin t`.
   */
  rope(x: Tensor, cos: Tensor, sin: Tensor, layout: RopeLayout): Tensor;
  /**
   * Optional: {@link Backend.rope} from integer positions instead of tables, for backends with a fused kernel (ggml's
   * `rope_ext`: one graph node per call instead of building the rotation from tables). `positions` is int32
   * `[batch or 1, seq]`, `inverseFrequencies` float32 `[rotaryDim / 2]`; the result equals
   * `rope(x, cos, sin, layout)` with `cos/sin[b, s, i] = cos/sin(fround(positions[b, s] * inverseFrequencies[i]))`,
   * up to float32 rounding of the angle (a backend may form it as `position / (1 / frequency)`, one rounding more).
   * `applyRotary` in `@pio/core/nn` uses it when present and falls back to the tables otherwise.
   */
  ropePositions?(x: Tensor, positions: Tensor, inverseFrequencies: Tensor, layout: RopeLayout): Tensor;
  /**
   * Scaled dot-product attention with grouped KV heads.
   *
   * `q` is `[batch, heads, queryLen, headDim]`, `k` is `[batch, kvHeads, keyLen, headDim]`, `v` is
   * `[batch, kvHeads, keyLen, valueDim]`, with `heads` a multiple of `kvHeads` (query head `h` uses KV head
   * `floor(h / (heads / kvHeads))`). Returns `[batch, heads, queryLen, valueDim]`.
   */
  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor;
}
