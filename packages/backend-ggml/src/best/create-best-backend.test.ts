import { InvalidConfigError } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { GgmlUnavailableError } from '../errors/ggml-unavailable-error.js';
import { NoBackendError } from '../errors/no-backend-error.js';
import { createBestBackend } from './create-best-backend.js';

const unavailable = async (): Promise<never> => {
  throw new GgmlUnavailableError({ platform: 'linux-riscv64', packages: ['@node-llama-cpp/linux-riscv64'], reason: 'not installed' });
};

describe('createBestBackend', () => {
  it('starts ggml when its native build loads, and says so', async () => {
    const { backend, reason, fallbackFrom } = await createBestBackend({ threads: 2 });
    try {
      expect(backend.name).toBe('ggml');
      expect(backend.engine).toBe('ggml-cpu');
      expect(reason).toBe('ggml (ggml-cpu, 2 threads): the native ggml build loaded');
      expect(fallbackFrom).toBeUndefined();
    } finally {
      backend.dispose();
    }
  });

  it('falls back to the fastest TensorFlow.js engine installed, naming why ggml could not start', async () => {
    const { backend, reason, fallbackFrom } = await createBestBackend({ device: 'cpu', loaders: { ggml: unavailable } });
    try {
      expect(backend.name).toBe('tfjs');
      // tfjs-node is not a workspace dependency, so the CPU order (tfjs-node, wasm, plain JS) lands on wasm
      expect(backend.engine).toBe('tfjs-wasm');
      expect(reason).toMatch(/^tfjs \(tfjs-wasm, 1 thread\): ggml could not start: No ggml build could be loaded for linux-riscv64 \(not installed\)/);
      expect(GgmlUnavailableError.isInstance(fallbackFrom?.error)).toBe(true);
    } finally {
      backend.dispose();
    }
  });

  it('uses the TensorFlow.js engine asked for without trying ggml', async () => {
    let ggmlTried = false;
    const { backend, reason } = await createBestBackend({ tfjsEngine: 'js', loaders: { ggml: async () => ((ggmlTried = true), unavailable()) } });
    try {
      expect(ggmlTried).toBe(false);
      expect(backend.engine).toBe('tfjs-cpu');
      expect(reason).toContain('a TensorFlow.js engine was asked for');
    } finally {
      backend.dispose();
    }
  });

  it('throws the ggml error itself when only ggml is allowed', async () => {
    await expect(createBestBackend({ backend: 'ggml', loaders: { ggml: unavailable } })).rejects.toSatisfy(GgmlUnavailableError.isInstance);
  });

  it('throws NoBackendError with both reasons when nothing starts', async () => {
    const missing = Object.assign(new Error("Cannot find package '@pio/backend-tfjs'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await createBestBackend({ loaders: { ggml: unavailable, tfjs: async () => Promise.reject(missing) } }).catch((e: unknown) => e);
    expect(NoBackendError.isInstance(error)).toBe(true);
    const reasons = (error as NoBackendError).reasons;
    expect(reasons.tfjs).toBe('@pio/backend-tfjs is not installed');
    expect(reasons.ggml).toContain('linux-riscv64');
    expect((error as Error).message).toContain('Install `@pio/backend-tfjs`');
  });

  it('rejects a bad thread count before trying any backend, instead of falling back to TensorFlow.js', async () => {
    for (const threads of [0, 1.5, Number.NaN]) {
      const tried: string[] = [];
      const options = {
        threads,
        loaders: { ggml: async () => (tried.push('ggml'), unavailable()), tfjs: async () => (tried.push('tfjs'), unavailable()) },
      };
      const error = await createBestBackend(options).catch((e: unknown) => e);
      expect(InvalidConfigError.isInstance(error), String(threads)).toBe(true);
      expect((error as InvalidConfigError).source).toBe('createBestBackend options');
      expect((error as Error).message).toContain(`threads: expected a positive integer`);
      expect(tried).toEqual([]);
    }
  });
});
