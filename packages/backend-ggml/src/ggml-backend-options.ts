import type { GgmlDeviceRequest } from './device/select-device.js';
import type { PackageResolver } from './runtime/locate-binaries.js';

/** Options for `createGgmlBackend`. */
export interface GgmlBackendOptions {
  /** Device to compute on. Default `auto` (a GPU build when installed, else the CPU). */
  device?: GgmlDeviceRequest;
  /**
   * CPU threads: a positive integer (at most 2^31 - 1, ggml's C `int`). Default (left out): every core
   * (`os.availableParallelism()`). Anything else (0, a negative or fractional number, `NaN`, `Infinity`, a string)
   * makes `createGgmlBackend` throw an `InvalidConfigError` naming `threads`; nothing is rounded or clamped.
   */
  threads?: number;
  /** Resolves `@node-llama-cpp/*` packages (tests inject one). Default: `createRequire` from this package. */
  resolvePackage?: PackageResolver;
  /**
   * Rerun a computed ggml graph when the next computation has the same structure (a decode step over a padded KV
   * cache), copying in only the new inputs, instead of recording, planning and allocating it again. Default true;
   * false builds every graph afresh (same results; for comparison and debugging).
   */
  reuseGraphs?: boolean;
  /**
   * When `attention` uses ggml's fused `flash_attn_ext` (no `[query, key]` score matrix in memory; the mask goes in as
   * float16, so additive mask values other than 0 and large negatives are rounded): `auto` (default) when the score
   * matrix would take at least 16 MiB (long prompts), `on` always, `off` never.
   */
  flashAttention?: 'auto' | 'on' | 'off';
  /**
   * Where graphs compute: `worker` (default) runs each computation on a worker thread while the event loop goes on;
   * `main` runs it on the calling thread, holding the event loop for the whole computation, as before computation
   * moved off the loop. Only for comparison (the event-loop benchmark measures one against the other); never in a
   * process that serves anything.
   */
  computeThread?: 'worker' | 'main';
  /**
   * Store 2-D `linear` weights in ggml's CPU "extra" buffer types where the CPU has a repacked layout for their type
   * (`CPU_REPACK`: Q4_0 and Q4_K on AVX2, Q4_0/Q8_0 on ARM with dot-product or i8mm, as llama.cpp does; the buffer
   * type's `supports_op` decides per weight). Their products then run in ggml's interleaved GEMV/GEMM kernels;
   * everything else stays in the plain CPU buffer. Default true; `GgmlBackend.weightRepack` says what is repacked
   * here, or why nothing is. A repacked weight can only be multiplied (`linear`, `matmul` with `transposeB`).
   */
  repackWeights?: boolean;
  /** Receives ggml's log lines printed while the libraries load (otherwise discarded). */
  onLog?: (line: string) => void;
}
