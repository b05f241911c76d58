import type { GgmlDeviceRequest } from './device/select-device.js';
import type { PackageResolver } from './runtime/locate-binaries.js';

/** Options for `createGgmlBackend`. */
export interface GgmlBackendOptions {
  /** Device to compute on. Default `auto` (a GPU build when installed, else the CPU). */
  device?: GgmlDeviceRequest;
  /** CPU threads. Default: every core (`os.availableParallelism()`). */
  threads?: number;
  /** Resolves `@node-llama-cpp/*` packages (tests inject one). Default: `createRequire` from this package. */
  resolvePackage?: PackageResolver;
  /**
   * Rerun a computed ggml graph when the next computation has the same structure (a decode step over a padded KV
   * cache), copying in only the new inputs, instead of recording, planning and allocating it again. Default true;
   * false builds every graph afresh (same results; for comparison and debugging).
   */
  reuseGraphs?: boolean;
  /** Receives ggml's log lines printed while the libraries load (otherwise discarded). */
  onLog?: (line: string) => void;
}
