import type { TfjsDevice } from './engine/engine-kinds.js';
import type { ModuleResolver } from './engine/module-resolver.js';

/** Settings of {@link createTfjsBackend}. */
export interface TfjsBackendOptions {
  /** Engine to use; default `auto` (tfjs-node-gpu, then tfjs-node, then wasm, then plain JS). */
  device?: TfjsDevice;
  /**
   * XNNPACK threads for the wasm engine. tfjs 4.22 turns wasm threads off under Node.js (its pthread workers load
   * from `blob:` URLs, which Node refuses), so there the engine always runs one thread; see `TfjsBackend.threads`.
   * A positive integer (at most 2^31 - 1); anything else (0, a negative or fractional number, `NaN`, a string) makes
   * `createTfjsBackend` throw an `InvalidConfigError` naming `wasmThreads`. Default (left out): tfjs's own choice.
   */
  wasmThreads?: number;
  /**
   * Most bytes the backend may hold before it refuses allocations with a `BackendMemoryError`.
   * Default: 3.25 GiB on wasm (its heap corrupts earlier tensors past about 3.5 GiB); no limit on other engines.
   */
  maxBytes?: number;
  /** Loads engine packages by name; tests inject one to simulate installed or missing engines. */
  resolve?: ModuleResolver;
}
