import { PioError, type Backend, type Device } from '@pio/core';
import type { TfjsDevice } from '@pio/backend-tfjs';

/** Which engine the CLI computes with: `tfjs` (default) or `reference` (core's float64 plain-JS backend, for debugging). */
export type BackendChoice = 'tfjs' | 'reference';

/** TensorFlow.js engines tried for the manager's `cpu` device, fastest first. */
const CPU_ENGINES: readonly TfjsDevice[] = ['cpu', 'wasm', 'js'];

/**
 * The `createBackend` the CLI gives its plugin manager. With `tfjs`, `createTfjsBackend` from `@pio/backend-tfjs`
 * (imported only when a model is loaded): the `gpu` device is tfjs-node-gpu; the `cpu` device is the fastest CPU
 * engine installed (tfjs-node, then wasm, then plain JS), or `engine` when given (`PIO_TFJS_ENGINE`). With
 * `reference`, core's reference backend.
 */
export function createBackendFactory(choice: BackendChoice, engine?: TfjsDevice): (device: Device) => Promise<Backend> {
  return async (device) => {
    if (choice === 'reference') {
      const { createReferenceBackend } = await import('@pio/core/testing');
      return createReferenceBackend();
    }
    const { createTfjsBackend } = await import('@pio/backend-tfjs');
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
