import { PioError, type Backend, type Device } from '@pio/core';

/** Which engine the CLI computes with: `tfjs` (default) or `reference` (core's float64 plain-JS backend, for debugging). */
export type BackendChoice = 'tfjs' | 'reference';

/**
 * The `createBackend` the CLI gives its plugin manager: `createTfjsBackend` from `@pio/backend-tfjs` (imported only
 * when a model is loaded), or the reference backend when `PIO_BACKEND=reference`.
 */
export function createBackendFactory(choice: BackendChoice): (device: Device) => Promise<Backend> {
  return async (device) => {
    if (choice === 'reference') {
      const { createReferenceBackend } = await import('@pio/core/testing');
      return createReferenceBackend();
    }
    const module = (await import('@pio/backend-tfjs')) as Record<string, unknown>;
    const create = module.createTfjsBackend as ((options: { device?: string }) => Backend | Promise<Backend>) | undefined;
    if (typeof create !== 'function') {
      throw new PioError('PIO_BACKEND_UNAVAILABLE', 'The installed @pio/backend-tfjs has no createTfjsBackend. Update it, or set PIO_BACKEND=reference to debug with the slow reference backend.');
    }
    return create(device === 'gpu' ? { device: 'gpu' } : {});
  };
}
