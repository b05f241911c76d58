import type { Backend } from '@pio/core';
import type { GgmlBackendOptions } from '../ggml-backend-options.js';

/** Which backend {@link createBestBackend} may use: `auto` (ggml, else TensorFlow.js), or only the one named. */
export type BackendKind = 'auto' | 'ggml' | 'tfjs';

/** The TensorFlow.js engines, as `@pio/backend-tfjs` names them (`auto` picks the best installed). */
export type TfjsEngineRequest = 'auto' | 'gpu' | 'cpu' | 'wasm' | 'js';

/** How {@link createBestBackend} loads the backends (tests inject failing or fake ones). */
export interface BackendLoaders {
  /** Starts ggml (default: this package's `createGgmlBackend`). */
  ggml: (options: GgmlBackendOptions) => Promise<Backend>;
  /** Starts TensorFlow.js on an engine (default: `createTfjsBackend` from the optional peer `@pio/backend-tfjs`). */
  tfjs: (engine: TfjsEngineRequest) => Promise<Backend>;
}

/** Options of {@link createBestBackend}. */
export interface BestBackendOptions {
  /** Which backend to use. Default `auto`: ggml when it starts, else TensorFlow.js. */
  backend?: BackendKind;
  /** `cpu`, `gpu`, or `auto` (default: a GPU build when one is installed, else the CPU). */
  device?: 'auto' | 'cpu' | 'gpu';
  /**
   * CPU threads for ggml: a positive integer. Default (left out): every core. Anything else throws an
   * `InvalidConfigError` naming `threads`, whichever backend would have been used (no fallback to TensorFlow.js).
   */
  threads?: number;
  /** TensorFlow.js engine. Default: the fastest installed for the device (`tfjs-node`, then wasm, then plain JS). */
  tfjsEngine?: TfjsEngineRequest;
  /** More ggml options (weight resolver, graph reuse, log lines). */
  ggml?: Omit<GgmlBackendOptions, 'device' | 'threads'>;
  /** Injected loaders, for tests. */
  loaders?: Partial<BackendLoaders>;
}

/** What {@link createBestBackend} chose. */
export interface BestBackend {
  /** The started backend; the caller disposes it. */
  backend: Backend;
  /** One line saying which backend and engine run and why, e.g. for a log line. */
  reason: string;
  /** Why the preferred ggml backend could not start, when TensorFlow.js was used in its place. */
  fallbackFrom?: { backend: 'ggml'; error: unknown };
}
