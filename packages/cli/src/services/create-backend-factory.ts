import { PioError, type Backend, type Device } from '@pio/core';
import type { TfjsDevice } from '@pio/backend-tfjs';

/**
 * Which backend the CLI computes with: `auto` (default: ggml when `@pio/backend-ggml` and its native package are
 * installed, else TensorFlow.js), `ggml`, `tfjs`, or `reference` (core's float64 plain-JS backend, for debugging).
 */
export type BackendChoice = 'auto' | 'ggml' | 'tfjs' | 'reference';

/** TensorFlow.js engines tried for the manager's `cpu` device, fastest first. */
const CPU_ENGINES: readonly TfjsDevice[] = ['cpu', 'wasm', 'js'];

/** How the factory loads the backend packages (injectable for tests). */
export interface BackendLoaders {
  ggml: () => Promise<Pick<typeof import('@pio/backend-ggml'), 'createGgmlBackend'>>;
  tfjs: () => Promise<Pick<typeof import('@pio/backend-tfjs'), 'createTfjsBackend'>>;
}

const DEFAULT_LOADERS: BackendLoaders = { ggml: () => import('@pio/backend-ggml'), tfjs: () => import('@pio/backend-tfjs') };

/**
 * The `createBackend` the CLI gives its plugin manager. With `auto` or `ggml`, `createGgmlBackend` from
 * `@pio/backend-ggml`; `auto` falls back to TensorFlow.js with a notice when ggml cannot start. With `tfjs`, `createTfjsBackend` from `@pio/backend-tfjs`
 * (imported only when a model is loaded): the `gpu` device is tfjs-node-gpu; the `cpu` device is the fastest CPU
 * engine installed (tfjs-node, then wasm, then plain JS), or `engine` when given (`PIO_TFJS_ENGINE`). With
 * `reference`, core's reference backend.
 */
export function createBackendFactory(
  choice: BackendChoice,
  engine?: TfjsDevice,
  onNotice: (message: string) => void = () => {},
  loaders: BackendLoaders = DEFAULT_LOADERS,
): (device: Device) => Promise<Backend> {
  return async (device) => {
    if (choice === 'reference') {
      const { createReferenceBackend } = await import('@pio/core/testing');
      return createReferenceBackend();
    }
    if (choice === 'ggml' || (choice === 'auto' && engine === undefined)) {
      try {
        const { createGgmlBackend } = await loaders.ggml();
        return await createGgmlBackend({ device: device === 'gpu' ? 'gpu' : 'cpu' });
      } catch (error) {
        if (choice === 'ggml') throw error;
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        onNotice(`The ggml backend is not available (${reason}); using TensorFlow.js, which is much slower.`);
      }
    }
    const { createTfjsBackend } = await loaders.tfjs();
    if (device === 'gpu') return createTfjsBackend({ device: 'gpu' });
    if (engine !== undefined) return createTfjsBackend({ device: engine });
    let lastError: unknown;
    for (const candidate of CPU_ENGINES) {
      try {
        return await createTfjsBackend({ device: candidate });
      } catch (error) {
        lastError = error;
      }
    }
    if (PioError.isInstance(lastError)) throw lastError;
    throw new PioError('PIO_BACKEND_UNAVAILABLE', 'No TensorFlow.js engine could start. Run `pio doctor` to see what to install.', { cause: lastError });
  };
}
