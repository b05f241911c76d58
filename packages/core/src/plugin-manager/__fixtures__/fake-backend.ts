import type { Backend, BackendCapabilities } from '../../backend/backend.js';

/**
 * A stand-in for a tensor backend: the plugin manager only reads `capabilities`, `engine`, `memory()` and calls
 * `dispose()`, so that is all this object has (the fake plugins compute nothing).
 */
export function createFakeBackend(capabilities: Partial<BackendCapabilities> = {}, allocatedBytes = 0): Backend & { disposed: boolean } {
  const backend = {
    specificationVersion: 'v1' as const,
    name: 'fake',
    engine: 'fake-engine',
    capabilities: {
      weightStorage: ['float32', 'bfloat16', 'float16', 'int8', 'int4'],
      lazy: false,
      device: 'cpu',
      ...capabilities,
    } as BackendCapabilities,
    disposed: false,
    memory: () => ({ tensors: 0, bytes: allocatedBytes }),
    dispose() {
      backend.disposed = true;
    },
  };
  return backend as unknown as Backend & { disposed: boolean };
}
