import { InvalidConfigError, PioError, type Backend, type Device } from '@pio/core';
import type { BackendLoaders, TfjsEngineRequest } from '@pio/backend-ggml';
import { GpuUnavailableError } from '../errors/gpu-unavailable-error.js';

/**
 * Which backend the CLI computes with: `auto` (default: ggml when it starts, else TensorFlow.js on its fastest
 * engine — `createBestBackend` from `@pio/backend-ggml`, the same choice a library makes), `ggml`, `tfjs`, or
 * `reference` (core's float64 plain-JS backend, for debugging).
 */
export type BackendChoice = 'auto' | 'ggml' | 'tfjs' | 'reference';

/** The backends the CLI accepts for `--backend` / `PIO_BACKEND`. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'ggml', 'tfjs', 'reference'];

/** What the factory started for a device: the backend and the one-line reason `createBestBackend` gave. */
export interface StartedBackend {
  readonly backend: Backend;
  readonly reason: string;
}

/** Options of {@link createBackendFactory}. */
export interface BackendFactoryOptions {
  /** Which backend (default `auto`). */
  readonly backend?: BackendChoice;
  /** TensorFlow.js engine (`PIO_TFJS_ENGINE`); with `auto`, asks for TensorFlow.js on that engine. */
  readonly tfjsEngine?: TfjsEngineRequest;
  /** CPU threads for ggml (`--threads`). Default: every core. */
  readonly threads?: number;
  /** Receives a one-line notice when ggml could not start and TensorFlow.js runs instead. */
  readonly onNotice?: (message: string) => void;
  /** Receives each backend started, with why it was chosen (the load line names it). */
  readonly onStarted?: (device: Device, started: StartedBackend) => void;
  /** Replaces how the backends are started (tests). */
  readonly loaders?: Partial<BackendLoaders>;
}

/**
 * The `createBackend` the CLI gives its plugin manager: `createBestBackend` from `@pio/backend-ggml` for `auto`,
 * `ggml` and `tfjs` (imported when a model is first loaded), or core's reference backend.
 */
export function createBackendFactory(options: BackendFactoryOptions = {}): (device: Device) => Promise<Backend> {
  const choice = options.backend ?? 'auto';
  return async (device) => {
    if (choice === 'reference') {
      const { createReferenceBackend } = await import('@pio/core/testing');
      const backend = createReferenceBackend();
      options.onStarted?.(device, { backend, reason: 'reference (float64 plain JavaScript): asked for with --backend reference' });
      return backend;
    }
    const { binaryPackages, createBestBackend, NoBackendError } = await import('@pio/backend-ggml');
    try {
      const best = await createBestBackend({
        backend: choice,
        device,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(options.tfjsEngine === undefined || options.tfjsEngine === 'auto' ? {} : { tfjsEngine: options.tfjsEngine }),
        ...(options.loaders === undefined ? {} : { loaders: options.loaders }),
      });
      if (best.fallbackFrom) {
        const why = best.fallbackFrom.error instanceof Error ? best.fallbackFrom.error.message.split('\n')[0] : String(best.fallbackFrom.error);
        options.onNotice?.(`The ggml backend is not available (${why}); using TensorFlow.js (${best.backend.engine}), which is much slower.`);
      }
      options.onStarted?.(device, best);
      return best.backend;
    } catch (error) {
      // a bad option (e.g. threads) is not a missing GPU or backend: report it as it is
      if (InvalidConfigError.isInstance(error)) throw error;
      if (device === 'gpu') {
        const reasons = NoBackendError.isInstance(error) ? error.reasons : { [choice]: firstLine(error) };
        const packages = binaryPackages(process.platform, process.arch)
          .filter(([, flavor]) => flavor !== 'cpu')
          .map(([name]) => name);
        throw new GpuUnavailableError({ reasons: shorten(reasons), packages }, { cause: error });
      }
      if (PioError.isInstance(error)) throw error;
      throw new PioError(
        'PIO_BACKEND_UNAVAILABLE',
        `The ${choice} backend could not start: ${error instanceof Error ? error.message : String(error)}. Run \`pio doctor\` to see what to install.`,
        { cause: error },
      );
    }
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** Each reason up to its first sentence (library errors go on to advise library options, which the CLI words itself). */
function shorten(reasons: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(reasons).map(([name, reason]) => [name, (/^.*?\)?\.(?=\s|$)/.exec(reason)?.[0] ?? reason).replace(/\.$/, '')]));
}
