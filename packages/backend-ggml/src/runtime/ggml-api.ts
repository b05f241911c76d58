/** An opaque native pointer handed out by koffi (`ggml_context *`, `ggml_tensor *`, ...). */
export type NativePointer = unknown;

/** Element types of `enum ggml_type` used here (values are ggml's ABI). */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, I32: 26, BF16: 30 } as const;

/** `enum ggml_prec` (ggml.h). */
export const GGML_PREC = { DEFAULT: 0, F32: 10 } as const;

/** `enum ggml_backend_dev_type` (ggml-backend.h). */
export const GGML_DEVICE_TYPE = { CPU: 0, GPU: 1, IGPU: 2, ACCEL: 3 } as const;

/**
 * The slice of ggml's C API (ggml.h, ggml-alloc.h, ggml-backend.h) this backend calls, bound through koffi.
 *
 * Signatures follow the headers of the llama.cpp release bundled in `@node-llama-cpp/*` 3.22.1. `ne` arguments are in
 * ggml order (fastest-varying first).
 */
export interface GgmlApi {
  ggml_init(params: { mem_size: number; mem_buffer: null; no_alloc: boolean }): NativePointer;
  ggml_free(ctx: NativePointer): void;
  ggml_tensor_overhead(): number;
  ggml_graph_overhead_custom(size: number, grads: boolean): number;
  ggml_new_graph_custom(ctx: NativePointer, size: number, grads: boolean): NativePointer;
  ggml_build_forward_expand(graph: NativePointer, tensor: NativePointer): void;
  ggml_new_tensor_4d(ctx: NativePointer, type: number, ne0: number, ne1: number, ne2: number, ne3: number): NativePointer;
  ggml_nbytes(t: NativePointer): number;
  ggml_row_size(type: number, ne: number): number;
  ggml_type_name(type: number): string;
  ggml_blck_size(type: number): number;
  ggml_type_size(type: number): number;
  ggml_is_contiguous(t: NativePointer): boolean;
  /** True when each row (dimension 0) is contiguous, whatever the other strides. */
  ggml_is_contiguous_rows(t: NativePointer): boolean;
  ggml_set_output(t: NativePointer): void;
  ggml_set_input(t: NativePointer): void;
  ggml_dup_tensor(ctx: NativePointer, t: NativePointer): NativePointer;

  ggml_add(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  ggml_sub(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  ggml_mul(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  ggml_div(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  ggml_neg(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_abs(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_step(ctx: NativePointer, a: NativePointer): NativePointer;
  /** -1, 0 or 1 per value (exact). */
  ggml_sgn(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_exp(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_log(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_sqrt(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_sqr(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_silu(ctx: NativePointer, a: NativePointer): NativePointer;
  /** `silu(a) * b` elementwise (`GGML_OP_GLU`, SwiGLU): `a` and `b` of one shape and type, rows contiguous. */
  ggml_swiglu_split(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  ggml_gelu(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_gelu_erf(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_sigmoid(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_tanh(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_scale_bias(ctx: NativePointer, a: NativePointer, s: number, b: number): NativePointer;
  ggml_fill(ctx: NativePointer, a: NativePointer, c: number): NativePointer;
  ggml_repeat_4d(ctx: NativePointer, a: NativePointer, ne0: number, ne1: number, ne2: number, ne3: number): NativePointer;

  ggml_arange(ctx: NativePointer, start: number, stop: number, step: number): NativePointer;
  ggml_clamp(ctx: NativePointer, a: NativePointer, min: number, max: number): NativePointer;
  ggml_pool_1d(ctx: NativePointer, a: NativePointer, op: number, k0: number, s0: number, p0: number): NativePointer;
  ggml_sum_rows(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_mean(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_argmax(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_cumsum(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_argsort(ctx: NativePointer, a: NativePointer, order: number): NativePointer;
  ggml_soft_max_ext(ctx: NativePointer, a: NativePointer, mask: NativePointer | null, scale: number, maxBias: number): NativePointer;

  ggml_mul_mat(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  /** Expert-indexed products: `as` `[in, out, experts]`, `b` `[in, 1 | slots, tokens]`, `ids` int32 `[slots, tokens]` → `[out, slots, tokens]`. */
  ggml_mul_mat_id(ctx: NativePointer, as: NativePointer, b: NativePointer, ids: NativePointer): NativePointer;
  ggml_rms_norm(ctx: NativePointer, a: NativePointer, eps: number): NativePointer;
  /**
   * Rotary embedding of `a` `[headDim, heads, seq, batch]` at the int32 positions `b` `[seq]` (one per `ne[2]`), over the
   * first `nDims` features; `c` (optional, float32 `[nDims / 2]`) divides each pair's angle. `mode` 0 rotates
   * neighbouring pairs, 2 (NEOX) pairs `(i, i + nDims / 2)`.
   */
  ggml_rope_ext(
    ctx: NativePointer,
    a: NativePointer,
    b: NativePointer,
    c: NativePointer | null,
    nDims: number,
    mode: number,
    nCtxOrig: number,
    freqBase: number,
    freqScale: number,
    extFactor: number,
    attnFactor: number,
    betaFast: number,
    betaSlow: number,
  ): NativePointer;
  ggml_norm(ctx: NativePointer, a: NativePointer, eps: number): NativePointer;
  ggml_get_rows(ctx: NativePointer, a: NativePointer, rows: NativePointer): NativePointer;
  ggml_flash_attn_ext(
    ctx: NativePointer,
    q: NativePointer,
    k: NativePointer,
    v: NativePointer,
    mask: NativePointer | null,
    scale: number,
    maxBias: number,
    logitSoftcap: number,
  ): NativePointer;

  /** Accumulation precision of a `flash_attn_ext` result (`GGML_PREC`). */
  ggml_flash_attn_ext_set_prec(a: NativePointer, prec: number): void;
  /** `a` with `p0..p3` zero elements appended along each dimension. */
  ggml_pad(ctx: NativePointer, a: NativePointer, p0: number, p1: number, p2: number, p3: number): NativePointer;
  ggml_concat(ctx: NativePointer, a: NativePointer, b: NativePointer, dim: number): NativePointer;
  /** Copies `a` into `b` (converting the type; any strides); returns a view of `b` that performs the copy. */
  ggml_cpy(ctx: NativePointer, a: NativePointer, b: NativePointer): NativePointer;
  /** Writes the rows of `b` into `a` at the row indices `c` (I32/I64), broadcast over dimensions 2 and 3; returns a view of `a` that performs the write. */
  ggml_set_rows(ctx: NativePointer, a: NativePointer, b: NativePointer, c: NativePointer): NativePointer;
  ggml_cont(ctx: NativePointer, a: NativePointer): NativePointer;
  ggml_cast(ctx: NativePointer, a: NativePointer, type: number): NativePointer;
  ggml_reshape_4d(ctx: NativePointer, a: NativePointer, ne0: number, ne1: number, ne2: number, ne3: number): NativePointer;
  ggml_permute(ctx: NativePointer, a: NativePointer, ax0: number, ax1: number, ax2: number, ax3: number): NativePointer;
  ggml_view_4d(
    ctx: NativePointer,
    a: NativePointer,
    ne0: number,
    ne1: number,
    ne2: number,
    ne3: number,
    nb1: number,
    nb2: number,
    nb3: number,
    offset: number,
  ): NativePointer;

  ggml_backend_alloc_ctx_tensors(ctx: NativePointer, backend: NativePointer): NativePointer;
  /** Allocates every tensor of `ctx` in one buffer of type `buft` (calls the buffer's `init_tensor` on each). */
  ggml_backend_alloc_ctx_tensors_from_buft(ctx: NativePointer, buft: NativePointer): NativePointer;
  ggml_backend_buft_name(buft: NativePointer): string;
  /** True when `dev` computes `op` with its sources where they are (an extra buffer type decides for weights in it). */
  ggml_backend_dev_supports_op(dev: NativePointer, op: NativePointer): boolean;
  ggml_backend_buffer_free(buffer: NativePointer): void;
  ggml_backend_buffer_clear(buffer: NativePointer, value: number): void;
  ggml_backend_tensor_set(t: NativePointer, data: ArrayBufferView, offset: number, size: number): void;
  ggml_backend_tensor_get(t: NativePointer, data: ArrayBufferView, offset: number, size: number): void;
  ggml_backend_graph_compute(backend: NativePointer, graph: NativePointer): number;
  /**
   * `ggml_backend_graph_compute` on a worker thread (koffi's async call): the event loop runs meanwhile. The graph,
   * the memory it reads and writes, and the backend must stay alive and untouched by other computations until the
   * promise settles; it resolves to ggml's status.
   */
  graphComputeAsync(backend: NativePointer, graph: NativePointer): Promise<number>;
  ggml_backend_get_default_buffer_type(backend: NativePointer): NativePointer;
  ggml_backend_free(backend: NativePointer): void;
  ggml_gallocr_new(buft: NativePointer): NativePointer;
  ggml_gallocr_reserve(galloc: NativePointer, graph: NativePointer): boolean;
  ggml_gallocr_alloc_graph(galloc: NativePointer, graph: NativePointer): boolean;
  ggml_gallocr_free(galloc: NativePointer): void;
  ggml_quantize_chunk(type: number, src: Float32Array, dst: Uint8Array, start: number, nrows: number, nPerRow: number, imatrix: null): number;
  /** BF16 values (`x`, 2 bytes each) to float32 (exact: the bits shifted up). */
  ggml_bf16_to_fp32_row(x: Uint8Array | Uint16Array, y: Float32Array, n: number): void;
  /** IEEE half values (`x`, 2 bytes each) to float32 (exact). */
  ggml_fp16_to_fp32_row(x: Uint8Array | Uint16Array, y: Float32Array, n: number): void;

  /** `ggml_quantize_chunk` of `nrows` rows from the start of `src` on a worker thread; neither array may change until it settles. */
  quantizeChunkAsync(type: number, src: Float32Array, dst: Uint8Array, nrows: number, nPerRow: number): Promise<number>;

  ggml_backend_load_all_from_path(dir: string): void;
  ggml_backend_dev_count(): number;
  ggml_backend_dev_get(index: number): NativePointer;
  ggml_backend_dev_name(dev: NativePointer): string;
  ggml_backend_dev_description(dev: NativePointer): string;
  ggml_backend_dev_type(dev: NativePointer): number;
  ggml_backend_dev_init(dev: NativePointer, params: null): NativePointer;
  ggml_backend_dev_backend_reg(dev: NativePointer): NativePointer;
  ggml_backend_reg_get_proc_address(reg: NativePointer, name: string): NativePointer;
  /** `ggml_set_output` on `t` and on every tensor its memory is a view of (so the allocator keeps them all). */
  setOutputChain(t: NativePointer): void;
  /** The tensor whose memory the view `t` uses (`view_src`), or null when `t` is not a view. */
  viewSource(t: NativePointer): NativePointer | null;
  /** Address of the tensor whose memory `t` uses: the end of its `view_src` chain (`t` itself when not a view). */
  storageAddress(t: NativePointer): bigint;
  /** The bytes of a tensor that `detachTensor` clears to make it a graph leaf (see `tensorOpFields`). */
  opFields(t: NativePointer): Uint8Array;
  /** True when the loaded library's `struct ggml_tensor` matches the layout this package was written for. */
  layoutMatches(): boolean;
  /**
   * Calls a `ggml_backend_dev_get_extra_bufts_t` (`ggml_backend_buffer_type_t * (*)(ggml_backend_dev_t)`, from the
   * registry's `ggml_backend_dev_get_extra_bufts`) and returns the buffer types of its NULL-terminated list.
   */
  callGetExtraBufts(fn: NativePointer, dev: NativePointer): NativePointer[];
  /**
   * Runs `fn` (synchronous, on this thread) with ggml's log lines sent to `sink` (undefined: dropped) instead of
   * ggml's default logger, which prints every line to stderr (weight repacking logs one per tensor).
   */
  withLogSink<T>(sink: ((line: string) => void) | undefined, fn: () => T): T;
  /** Calls a `void (*)(ggml_backend_t, int)` such as `ggml_backend_set_n_threads`, obtained from the registry. */
  callSetThreads(fn: NativePointer, backend: NativePointer, threads: number): void;
  /** Calls `ggml_threadpool_new(struct ggml_threadpool_params *)` (from the CPU registry) with the struct's bytes. */
  callThreadpoolNew(fn: NativePointer, params: Uint8Array): NativePointer;
  /** Calls `ggml_backend_cpu_set_threadpool(backend, threadpool)`. */
  callSetThreadpool(fn: NativePointer, backend: NativePointer, threadpool: NativePointer): void;
  /** Calls `ggml_threadpool_free(threadpool)`. */
  callThreadpoolFree(fn: NativePointer, threadpool: NativePointer): void;
}
