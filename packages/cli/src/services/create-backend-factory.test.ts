import { GgmlUnavailableError } from '@pio/backend-ggml';
import { InvalidConfigError, type Device } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { GpuUnavailableError } from '../errors/gpu-unavailable-error.js';
import { createBackendFactory, type StartedBackend } from './create-backend-factory.js';

describe('createBackendFactory', () => {
  const unavailable = async (): Promise<never> => {
    throw new GgmlUnavailableError({ platform: 'linux-riscv64', packages: ['@node-llama-cpp/linux-riscv64'], reason: 'not installed' });
  };

  it('auto uses ggml when it starts, with the threads asked for, and reports why', async () => {
    const notices: string[] = [];
    const started: Array<[Device, StartedBackend]> = [];
    const backend = await createBackendFactory({ threads: 1, onNotice: (m) => notices.push(m), onStarted: (d, s) => started.push([d, s]) })('cpu');
    try {
      expect(backend.engine).toBe('ggml-cpu');
      expect(notices).toEqual([]);
      expect(started.map(([d, s]) => [d, s.reason])).toEqual([['cpu', 'ggml (ggml-cpu, 1 thread): the native ggml build loaded']]);
    } finally {
      backend.dispose();
    }
  });

  it('auto falls back to TensorFlow.js with a one-line notice when ggml cannot start', async () => {
    const notices: string[] = [];
    const backend = await createBackendFactory({ onNotice: (m) => notices.push(m), loaders: { ggml: unavailable } })('cpu');
    try {
      expect(backend.engine).toBe('tfjs-wasm');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(
        /^The ggml backend is not available \(No ggml build could be loaded for linux-riscv64 \(not installed\)\..*\); using TensorFlow.js \(tfjs-wasm\), which is much slower\.$/,
      );
    } finally {
      backend.dispose();
    }
  });

  it('an explicit ggml choice fails instead of falling back', async () => {
    await expect(createBackendFactory({ backend: 'ggml', loaders: { ggml: unavailable } })('cpu')).rejects.toSatisfy(GgmlUnavailableError.isInstance);
  });

  it('a bad thread count is reported as such, on the CPU and on the GPU alike, without trying a backend', async () => {
    let tried = false;
    const loaders = { ggml: async () => ((tried = true), unavailable()), tfjs: async () => ((tried = true), unavailable()) };
    for (const device of ['cpu', 'gpu'] as const) {
      const error = await createBackendFactory({ threads: 0, loaders })(device).catch((e: unknown) => e);
      expect(InvalidConfigError.isInstance(error), device).toBe(true);
      expect((error as Error).message).toContain('threads: expected a positive integer');
    }
    expect(tried).toBe(false);
  });

  it('tfjs skips ggml and uses the engine asked for', async () => {
    const backend = await createBackendFactory({ backend: 'tfjs', tfjsEngine: 'js', loaders: { ggml: unavailable } })('cpu');
    try {
      expect(backend.engine).toBe('tfjs-cpu');
    } finally {
      backend.dispose();
    }
  });

  it('--device gpu without a GPU answers in CLI terms: which flag to change and which package adds a GPU', async () => {
    const noGpu = async (): Promise<never> => {
      throw new Error("The ggml device 'gpu' is not available (found: CPU). Install the matching package, or use device 'cpu' or 'auto'.");
    };
    const noTfjsGpu = async (): Promise<never> => {
      throw new Error("The tfjs-node-gpu engine is unavailable (@tensorflow/tfjs-node-gpu is not installed). Or create the backend with device 'auto'.");
    };
    const error = await createBackendFactory({ loaders: { ggml: noGpu, tfjs: noTfjsGpu } })('gpu').catch((e: unknown) => e);
    expect(GpuUnavailableError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(
      "ggml: The ggml device 'gpu' is not available (found: CPU); tfjs: The tfjs-node-gpu engine is unavailable (@tensorflow/tfjs-node-gpu is not installed)",
    );
    expect(message).toContain('Leave out --device (or use --device cpu)');
    expect(message).not.toContain("device 'auto'");
    expect((error as GpuUnavailableError).packages.every((name) => name.startsWith('@node-llama-cpp/'))).toBe(true);
  });
});
