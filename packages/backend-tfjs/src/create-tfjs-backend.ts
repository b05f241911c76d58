import { BackendError, checkThreadCount } from '@pio/core';
import { selectEngine } from './engine/select-engine.js';
import { TfjsBackend } from './tfjs-backend.js';
import type { TfjsBackendOptions } from './tfjs-backend-options.js';

/**
 * Creates a PIO backend over TensorFlow.js on the best installed engine (or the one named by `device`).
 *
 * Throws an `EngineUnavailableError` saying how to install the engine when a named one is missing, and an
 * `InvalidConfigError` (from `@pio/core`) naming `wasmThreads` when it is set but not a positive integer.
 *
 * @example
 * ```ts
 * const backend = await createTfjsBackend({ device: 'wasm' });
 * const y = backend.scope(() => backend.linear(x, weight));
 * ```
 */
export async function createTfjsBackend(options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
  const { maxBytes } = options;
  if (maxBytes !== undefined && !(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new BackendError('createTfjsBackend', `maxBytes must be a positive number of bytes, got ${String(maxBytes)}`);
  }
  // tfjs passes the count to XNNPACK as a C int: past 2^31 - 1 it wraps
  const wasmThreads = checkThreadCount(options.wasmThreads, {
    source: 'createTfjsBackend options',
    path: 'wasmThreads',
    hint: ', or leave wasmThreads out for the default',
  });
  const engine = await selectEngine(options.device ?? 'auto', { resolve: options.resolve, wasmThreads });
  return new TfjsBackend(engine, { maxBytes });
}
