import * as tf from '@tensorflow/tfjs-core';
import { BackendError, BACKEND_SPEC_VERSION, InvalidConfigError } from '@pio/core';
import { INVALID_THREAD_COUNTS } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from './create-tfjs-backend.js';
import { defaultModuleResolver, type ModuleResolver } from './engine/module-resolver.js';
import { EngineUnavailableError } from './errors/engine-unavailable-error.js';

/** The real resolver, with the listed packages reported as not installed. */
function without(...missing: string[]): ModuleResolver {
  return async (specifier) => {
    if (missing.includes(specifier)) throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
    return defaultModuleResolver(specifier);
  };
}

const NATIVE = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

describe('createTfjsBackend', () => {
  it('auto uses wasm when no native engine is installed', async () => {
    const backend = await createTfjsBackend({ resolve: without(...NATIVE) });
    try {
      expect(backend.specificationVersion).toBe(BACKEND_SPEC_VERSION);
      expect(backend.name).toBe('tfjs');
      expect(backend.engine).toBe('tfjs-wasm');
      expect(backend.capabilities).toEqual({
        weightStorage: ['float32', 'bfloat16', 'float16', 'int8', 'int4'],
        lazy: false,
        maxBytes: 3.25 * 2 ** 30,
        device: 'cpu',
      });
      expect(backend.threads).toBe(1);
      const y = backend.add(backend.tensor([1, 2], [2]), 1);
      expect([...(await y.data())]).toEqual([2, 3]);
    } finally {
      backend.dispose();
    }
  });

  it('auto falls back to the plain JS engine when wasm is missing too', async () => {
    const backend = await createTfjsBackend({ resolve: without(...NATIVE, '@tensorflow/tfjs-backend-wasm') });
    try {
      expect(backend.engine).toBe('tfjs-cpu');
      expect(backend.capabilities.maxBytes).toBeUndefined();
      expect([...(await backend.mul(backend.tensor([3], [1]), 2).data())]).toEqual([6]);
    } finally {
      backend.dispose();
    }
  });

  it("'gpu' and 'cpu' throw EngineUnavailableError when the native engines are absent", async () => {
    for (const device of ['gpu', 'cpu'] as const) {
      const error = await createTfjsBackend({ device, resolve: without(...NATIVE) }).catch((e: unknown) => e);
      expect(EngineUnavailableError.isInstance(error), device).toBe(true);
      expect((error as EngineUnavailableError).engine).toBe(device === 'gpu' ? 'tfjs-node-gpu' : 'tfjs-node');
    }
  });

  it('rejects a non-positive maxBytes', async () => {
    const error = await createTfjsBackend({ device: 'js', maxBytes: 0 }).catch((e: unknown) => e);
    expect(BackendError.isInstance(error)).toBe(true);
  });

  it('rejects a wasmThreads that is not a positive integer, naming it', async () => {
    for (const [wasmThreads, shown] of INVALID_THREAD_COUNTS) {
      const error = await createTfjsBackend({ device: 'wasm', wasmThreads: wasmThreads as number }).catch((e: unknown) => e);
      expect(InvalidConfigError.isInstance(error), shown).toBe(true);
      expect((error as InvalidConfigError).issues).toEqual([{ path: 'wasmThreads', expected: expect.stringContaining('a positive integer'), found: shown }]);
    }
    // a positive integer is accepted (under Node.js wasm still computes on one thread)
    const backend = await createTfjsBackend({ device: 'wasm', wasmThreads: 2 });
    try {
      expect(backend.threads).toBe(1);
    } finally {
      backend.dispose();
    }
  });

  it('two backends in one process (wasm and js) compute independently, and dispose frees only their own tensors', async () => {
    const engineBefore = tf.memory().numTensors;
    const wasm = await createTfjsBackend({ device: 'wasm' });
    const js = await createTfjsBackend({ device: 'js' });
    const a = wasm.tensor([1, 2, 3], [3]);
    const b = js.tensor([10, 20, 30], [3]);
    const wa = wasm.square(a); // switches tfjs back to wasm
    const jb = js.neg(b); // and to cpu
    expect([...(await wa.data())]).toEqual([1, 4, 9]);
    expect([...(await jb.data())]).toEqual([-10, -20, -30]);
    expect(() => wasm.add(a, b)).toThrow(/not a tensor of this tfjs-wasm backend/);
    expect(wasm.memory().tensors).toBe(2);
    expect(js.memory().tensors).toBe(2);
    const w = wasm.weight({ dtype: 'F32', shape: [2, 2], bytes: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer) }, { role: 'linear' });
    wasm.dispose();
    expect(a.isDisposed && wa.isDisposed && w.isDisposed).toBe(true);
    expect(b.isDisposed || jb.isDisposed).toBe(false);
    expect([...(await js.add(jb, b).data())]).toEqual([0, 0, 0]);
    expect(() => wasm.tensor([1], [1])).toThrow(/was disposed/);
    js.dispose();
    expect(tf.memory().numTensors).toBe(engineBefore);
  });
});
