import type { GgmlApi, NativePointer } from './ggml-api.js';
import { probeTensorLayout, TENSOR_LAYOUT, tensorOpFields } from './tensor-layout.js';

/** The part of the `koffi` module this package uses. */
export interface KoffiModule {
  register(fn: unknown, type: unknown): unknown;
  unregister(callback: unknown): void;
  pointer(type: unknown): unknown;
  view(ptr: unknown, length: number): ArrayBuffer;
  address(ptr: unknown): bigint;
  decode(ptr: unknown, offset: number, type: string): unknown;
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
  opaque(name: string): unknown;
  struct(name: string, def: Record<string, string>): unknown;
  proto(signature: string): unknown;
  call(fn: unknown, type: unknown, ...args: unknown[]): unknown;
  config(settings?: Record<string, number>): Record<string, number>;
}

/** A koffi-bound C function: called directly it runs on the calling thread; `.async` runs it on a worker thread. */
type BoundFunction = ((...args: unknown[]) => unknown) & { async(...args: unknown[]): void };

const T = 'ggml_tensor *';
const C = 'ggml_context *ctx';
const unary = [
  'neg',
  'abs',
  'step',
  'sgn',
  'exp',
  'log',
  'sqrt',
  'sqr',
  'silu',
  'gelu',
  'gelu_erf',
  'sigmoid',
  'tanh',
  'sum_rows',
  'mean',
  'argmax',
  'cumsum',
  'cont',
];
const binary = ['add', 'sub', 'mul', 'div', 'mul_mat', 'get_rows', 'swiglu_split'];

/** C prototypes of every function in {@link GgmlApi} except the unary/binary op families generated above. */
const SIGNATURES = [
  'ggml_context *ggml_init(ggml_init_params params)',
  'void ggml_free(ggml_context *ctx)',
  'size_t ggml_tensor_overhead()',
  'size_t ggml_graph_overhead_custom(size_t size, bool grads)',
  `ggml_cgraph *ggml_new_graph_custom(${C}, size_t size, bool grads)`,
  `void ggml_build_forward_expand(ggml_cgraph *graph, ${T}t)`,
  `${T}ggml_new_tensor_4d(${C}, int type, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)`,
  `size_t ggml_nbytes(${T}t)`,
  'size_t ggml_row_size(int type, int64_t ne)',
  'const char *ggml_type_name(int type)',
  'int64_t ggml_blck_size(int type)',
  'size_t ggml_type_size(int type)',
  `bool ggml_is_contiguous(${T}t)`,
  `bool ggml_is_contiguous_rows(${T}t)`,
  `void ggml_set_output(${T}t)`,
  `void ggml_set_input(${T}t)`,
  `${T}ggml_dup_tensor(${C}, ${T}t)`,
  `${T}ggml_scale_bias(${C}, ${T}a, float s, float b)`,
  `${T}ggml_fill(${C}, ${T}a, float c)`,
  `${T}ggml_repeat_4d(${C}, ${T}a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)`,
  'ggml_tensor *ggml_arange(ggml_context *ctx, float start, float stop, float step)',
  `${T}ggml_clamp(${C}, ${T}a, float min, float max)`,
  `${T}ggml_pool_1d(${C}, ${T}a, int op, int k0, int s0, int p0)`,
  `${T}ggml_argsort(${C}, ${T}a, int order)`,
  `${T}ggml_mul_mat_id(${C}, ${T}as, ${T}b, ${T}ids)`,
  `${T}ggml_soft_max_ext(${C}, ${T}a, ${T}mask, float scale, float max_bias)`,
  `${T}ggml_rms_norm(${C}, ${T}a, float eps)`,
  `${T}ggml_rope_ext(${C}, ${T}a, ${T}b, ${T}c, int n_dims, int mode, int n_ctx_orig, float freq_base, float freq_scale, float ext_factor, float attn_factor, float beta_fast, float beta_slow)`,
  `${T}ggml_norm(${C}, ${T}a, float eps)`,
  `${T}ggml_flash_attn_ext(${C}, ${T}q, ${T}k, ${T}v, ${T}mask, float scale, float max_bias, float softcap)`,
  `void ggml_flash_attn_ext_set_prec(${T}a, int prec)`,
  `${T}ggml_pad(${C}, ${T}a, int p0, int p1, int p2, int p3)`,
  `${T}ggml_concat(${C}, ${T}a, ${T}b, int dim)`,
  `${T}ggml_cpy(${C}, ${T}a, ${T}b)`,
  `${T}ggml_set_rows(${C}, ${T}a, ${T}b, ${T}c)`,
  `${T}ggml_cast(${C}, ${T}a, int type)`,
  `${T}ggml_reshape_4d(${C}, ${T}a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)`,
  `${T}ggml_permute(${C}, ${T}a, int ax0, int ax1, int ax2, int ax3)`,
  `${T}ggml_view_4d(${C}, ${T}a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3, size_t nb1, size_t nb2, size_t nb3, size_t offset)`,
  'ggml_backend_buffer *ggml_backend_alloc_ctx_tensors(ggml_context *ctx, ggml_backend *backend)',
  'ggml_backend_buffer *ggml_backend_alloc_ctx_tensors_from_buft(ggml_context *ctx, ggml_buft *buft)',
  'const char *ggml_backend_buft_name(ggml_buft *buft)',
  `bool ggml_backend_dev_supports_op(ggml_device *dev, ${T}op)`,
  'void ggml_backend_buffer_free(ggml_backend_buffer *buffer)',
  'void ggml_backend_buffer_clear(ggml_backend_buffer *buffer, uint8_t value)',
  `void ggml_backend_tensor_set(${T}t, const void *data, size_t offset, size_t size)`,
  `void ggml_backend_tensor_get(${T}t, _Out_ void *data, size_t offset, size_t size)`,
  'int ggml_backend_graph_compute(ggml_backend *backend, ggml_cgraph *graph)',
  'ggml_buft *ggml_backend_get_default_buffer_type(ggml_backend *backend)',
  'void ggml_backend_free(ggml_backend *backend)',
  'ggml_gallocr *ggml_gallocr_new(ggml_buft *buft)',
  'bool ggml_gallocr_reserve(ggml_gallocr *galloc, ggml_cgraph *graph)',
  'bool ggml_gallocr_alloc_graph(ggml_gallocr *galloc, ggml_cgraph *graph)',
  'void ggml_gallocr_free(ggml_gallocr *galloc)',
  'size_t ggml_quantize_chunk(int type, const float *src, _Out_ void *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)',
  'void ggml_bf16_to_fp32_row(const void *x, _Out_ float *y, int64_t n)',
  'void ggml_fp16_to_fp32_row(const void *x, _Out_ float *y, int64_t n)',
  'void ggml_backend_load_all_from_path(const char *dir)',
  'size_t ggml_backend_dev_count()',
  'ggml_device *ggml_backend_dev_get(size_t index)',
  'const char *ggml_backend_dev_name(ggml_device *dev)',
  'const char *ggml_backend_dev_description(ggml_device *dev)',
  'int ggml_backend_dev_type(ggml_device *dev)',
  'ggml_backend *ggml_backend_dev_init(ggml_device *dev, const char *params)',
  'ggml_reg *ggml_backend_dev_backend_reg(ggml_device *dev)',
  'void *ggml_backend_reg_get_proc_address(ggml_reg *reg, const char *name)',
];

/**
 * Binds ggml's C API with koffi from `libggml` (which pulls in `libggml-base`) at `ggmlPath`.
 *
 * @param koffi - The loaded `koffi` module.
 * @param ggmlPath - Absolute path of `libggml*.so` / `.dylib` / `.dll`.
 */
export function bindGgml(koffi: KoffiModule, ggmlPath: string): GgmlApi {
  for (const name of [
    'ggml_context',
    'ggml_tensor',
    'ggml_cgraph',
    'ggml_backend',
    'ggml_backend_buffer',
    'ggml_buft',
    'ggml_gallocr',
    'ggml_device',
    'ggml_reg',
  ]) {
    koffi.opaque(name);
  }
  koffi.struct('ggml_init_params', { mem_size: 'size_t', mem_buffer: 'void *', no_alloc: 'bool' });
  const setThreads = koffi.proto('void pio_ggml_set_threads(ggml_backend *backend, int n)');
  const lib = koffi.load(ggmlPath);
  const api: Record<string, unknown> = {};
  const bind = (signature: string): void => {
    const name = /(ggml_\w+)\(/.exec(signature)?.[1];
    if (name) api[name] = lib.func(signature);
  };
  for (const op of unary) bind(`${T}ggml_${op}(${C}, ${T}a)`);
  for (const op of binary) bind(`${T}ggml_${op}(${C}, ${T}a, ${T}b)`);
  for (const signature of SIGNATURES) bind(signature);
  const compute = api.ggml_backend_graph_compute as BoundFunction;
  api.graphComputeAsync = (backend: NativePointer, graph: NativePointer) =>
    new Promise<number>((resolve, reject) => {
      compute.async(backend, graph, (error: unknown, status: number) => (error ? reject(error) : resolve(status)));
    });
  const quantize = api.ggml_quantize_chunk as BoundFunction;
  api.quantizeChunkAsync = (type: number, src: Float32Array, dst: Uint8Array, nrows: number, nPerRow: number) =>
    new Promise<number>((resolve, reject) => {
      quantize.async(type, src, dst, 0, nrows, nPerRow, null, (error: unknown, size: number) => (error ? reject(error) : resolve(size)));
    });
  api.callSetThreads = (fn: unknown, backend: unknown, threads: number) => koffi.call(fn, setThreads, backend, threads);
  const threadpoolNew = koffi.proto('void *pio_ggml_threadpool_new(void *params)');
  const setThreadpool = koffi.proto('void pio_ggml_set_threadpool(ggml_backend *backend, void *threadpool)');
  const threadpoolFree = koffi.proto('void pio_ggml_threadpool_free(void *threadpool)');
  api.callThreadpoolNew = (fn: unknown, params: Uint8Array) => koffi.call(fn, threadpoolNew, params);
  api.callSetThreadpool = (fn: unknown, backend: unknown, threadpool: unknown) => koffi.call(fn, setThreadpool, backend, threadpool);
  api.callThreadpoolFree = (fn: unknown, threadpool: unknown) => koffi.call(fn, threadpoolFree, threadpool);
  const getExtraBufts = koffi.proto('void *pio_ggml_get_extra_bufts(ggml_device *dev)');
  api.callGetExtraBufts = (fn: unknown, dev: unknown) => {
    const list = koffi.call(fn, getExtraBufts, dev);
    const out: unknown[] = [];
    // a NULL-terminated array of `ggml_backend_buffer_type_t`
    for (let i = 0; list; i++) {
      const buft = koffi.decode(list, i * 8, 'ggml_buft *');
      if (!buft) break;
      out.push(buft);
    }
    return out;
  };
  const bound = api as unknown as GgmlApi;
  api.opFields = (t: NativePointer) => tensorOpFields(koffi, t);
  api.setOutputChain = (t: NativePointer) => {
    for (let p: unknown = t; p; p = koffi.decode(p, TENSOR_LAYOUT.viewSrc, 'ggml_tensor *')) bound.ggml_set_output(p);
  };
  api.viewSource = (t: NativePointer) => koffi.decode(t, TENSOR_LAYOUT.viewSrc, 'ggml_tensor *') ?? null;
  api.storageAddress = (t: NativePointer) => {
    let p: unknown = t;
    for (let src = koffi.decode(p, TENSOR_LAYOUT.viewSrc, 'ggml_tensor *'); src; src = koffi.decode(p, TENSOR_LAYOUT.viewSrc, 'ggml_tensor *')) p = src;
    return koffi.address(p);
  };
  api.layoutMatches = () => {
    const ctx = bound.ggml_init({ mem_size: bound.ggml_tensor_overhead() * 4, mem_buffer: null, no_alloc: true });
    try {
      const a = bound.ggml_new_tensor_4d(ctx, 0, 3, 5, 7, 11);
      return probeTensorLayout(koffi, { a, sum: bound.ggml_add(ctx, a, a), view: bound.ggml_reshape_4d(ctx, a, 15, 7, 11, 1) }, bound.ggml_tensor_overhead());
    } finally {
      bound.ggml_free(ctx);
    }
  };
  return bound;
}
