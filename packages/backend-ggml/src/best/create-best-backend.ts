import { PioError, type Backend } from '@pio/core';
import { createGgmlBackend } from '../create-ggml-backend.js';
import { NoBackendError } from '../errors/no-backend-error.js';
import { checkThreadsOption } from '../runtime/check-threads-option.js';
import type { BackendLoaders, BestBackend, BestBackendOptions, TfjsEngineRequest } from './best-backend-options.js';

/** TensorFlow.js engines tried on the CPU, fastest first. */
const CPU_ENGINES: readonly TfjsEngineRequest[] = ['cpu', 'wasm', 'js'];

const DEFAULT_LOADERS: BackendLoaders = {
  ggml: (options) => createGgmlBackend(options),
  tfjs: async (engine) => {
    // An optional peer: imported only when ggml cannot start (or TensorFlow.js is asked for).
    const { createTfjsBackend } = await import('@pio/backend-tfjs');
    return createTfjsBackend({ device: engine });
  },
};

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function isModuleMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
}

function describe(backend: Backend): string {
  const threads = (backend as { threads?: unknown }).threads;
  return `${backend.name} (${backend.engine}${typeof threads === 'number' && threads > 0 ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''})`;
}

/**
 * Starts the fastest backend installed: ggml (this package) when its native build loads, else TensorFlow.js from
 * the optional peer `@pio/backend-tfjs` on its fastest engine, and says which and why. The CLI uses it for its
 * default `--backend auto`, so a library and `pio` make the same choice.
 *
 * @throws `InvalidConfigError` (from `@pio/core`) when `threads` is set but not a positive integer, before any backend
 * is tried; `NoBackendError` when nothing starts (with each backend's reason); with `backend: 'ggml'` the ggml error
 * itself (`GgmlUnavailableError`, `GgmlDeviceError`); with `backend: 'tfjs'` the TensorFlow.js error.
 *
 * @example
 * ```ts
 * const { backend, reason } = await createBestBackend();
 * console.error(reason); // "ggml (ggml-cpu, 8 threads): the native ggml build loaded"
 * ```
 */
export async function createBestBackend(options: BestBackendOptions = {}): Promise<BestBackend> {
  // a bad thread count is the caller's mistake, not a reason to fall back to TensorFlow.js
  const threads = checkThreadsOption(options.threads, 'createBestBackend options');
  const loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  const kind = options.backend ?? 'auto';
  const device = options.device ?? 'auto';
  let ggmlError: unknown;
  if (kind === 'ggml' || (kind === 'auto' && options.tfjsEngine === undefined)) {
    try {
      const backend = await loaders.ggml({ ...options.ggml, device, threads });
      return { backend, reason: `${describe(backend)}: the native ggml build loaded` };
    } catch (error) {
      if (kind === 'ggml') throw error;
      ggmlError = error;
    }
  }
  const why =
    ggmlError === undefined ? (kind === 'tfjs' ? 'asked for' : 'a TensorFlow.js engine was asked for') : `ggml could not start: ${firstLine(ggmlError)}`;
  const engines: readonly TfjsEngineRequest[] =
    options.tfjsEngine !== undefined ? [options.tfjsEngine] : device === 'gpu' ? ['gpu'] : device === 'cpu' ? CPU_ENGINES : ['auto'];
  let tfjsError: unknown;
  for (const engine of engines) {
    try {
      const backend = await loaders.tfjs(engine);
      const fallbackFrom = ggmlError === undefined ? undefined : { backend: 'ggml' as const, error: ggmlError };
      return { backend, reason: `${describe(backend)}: ${why}`, ...(fallbackFrom ? { fallbackFrom } : {}) };
    } catch (error) {
      tfjsError = error;
      if (isModuleMissing(error)) break;
    }
  }
  if (kind === 'tfjs' || (options.tfjsEngine !== undefined && ggmlError === undefined)) throw tfjsError;
  const tfjsReason = isModuleMissing(tfjsError) ? '@pio/backend-tfjs is not installed' : firstLine(tfjsError);
  throw new NoBackendError(
    { reasons: { ggml: ggmlError === undefined ? 'not tried' : firstLine(ggmlError), tfjs: tfjsReason } },
    { cause: PioError.isInstance(tfjsError) ? tfjsError : ggmlError },
  );
}
