import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../errors/engine-unavailable-error.js';
import type { ModuleResolver } from './module-resolver.js';
import { selectEngine } from './select-engine.js';

/** A stand-in for the `@tensorflow/tfjs-node(-gpu)` namespace: registers the `tensorflow` backend, as the real one does on import. */
function fakeNativeModule(usesGpu: boolean): unknown {
  return {
    tidy: () => undefined,
    setBackend: async (name: string) => name === 'tensorflow',
    engine: () => ({ registryFactory: { tensorflow: {} }, registry: {} }),
    backend: () => ({ isUsingGpuDevice: usesGpu }),
  };
}

function notInstalled(specifier: string): Error {
  return Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
}

/** Resolves only the listed specifiers (to fakes); everything else is "not installed". */
function resolverWith(installed: Record<string, unknown>): ModuleResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (specifier: string) => {
    asked.push(specifier);
    if (specifier in installed) return installed[specifier];
    throw notInstalled(specifier);
  };
  return Object.assign(resolve, { asked });
}

describe('selectEngine', () => {
  it('auto picks tfjs-node-gpu first when it is installed and sees a CUDA device', async () => {
    const resolve = resolverWith({
      '@tensorflow/tfjs-node-gpu': fakeNativeModule(true),
      '@tensorflow/tfjs-node': fakeNativeModule(false),
    });
    const engine = await selectEngine('auto', { resolve });
    expect(engine.name).toBe('tfjs-node-gpu');
    expect(engine.device).toBe('gpu');
    expect(engine.backendName).toBe('tensorflow');
    expect(resolve.asked).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('auto falls back to tfjs-node when the GPU package is absent', async () => {
    const resolve = resolverWith({ '@tensorflow/tfjs-node': fakeNativeModule(false) });
    const engine = await selectEngine('auto', { resolve });
    expect(engine.name).toBe('tfjs-node');
    expect(engine.device).toBe('cpu');
    expect(engine.traits.defaultMaxBytes).toBeUndefined();
    expect(resolve.asked).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('auto accepts tfjs-node-gpu without a usable GPU as a CPU engine', async () => {
    const engine = await selectEngine('auto', { resolve: resolverWith({ '@tensorflow/tfjs-node-gpu': fakeNativeModule(false) }) });
    expect(engine.name).toBe('tfjs-node-gpu');
    expect(engine.device).toBe('cpu');
  });

  it('tries engines in the order node-gpu, node, wasm, js and reports every failure when none starts', async () => {
    const resolve = resolverWith({});
    const error = await selectEngine('auto', { resolve }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    expect(resolve.asked).toEqual([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-core', // wasm needs core + the wasm backend; core is "missing" here, so wasm fails first
      '@tensorflow/tfjs-core',
    ]);
    const message = (error as EngineUnavailableError).message;
    for (const name of ['tfjs-node-gpu', 'tfjs-node', 'tfjs-wasm', 'tfjs-cpu']) expect(message).toContain(`${name}:`);
    expect((error as Error).cause).toBeInstanceOf(AggregateError);
  });

  it("'gpu' without @tensorflow/tfjs-node-gpu throws EngineUnavailableError with the install command and CUDA needs", async () => {
    const error = await selectEngine('gpu', { resolve: resolverWith({ '@tensorflow/tfjs-node': fakeNativeModule(false) }) }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    const e = error as EngineUnavailableError;
    expect(e.code).toBe('PIO_TFJS_ENGINE_UNAVAILABLE');
    expect(e.engine).toBe('tfjs-node-gpu');
    expect(e.packageName).toBe('@tensorflow/tfjs-node-gpu');
    expect(e.reason).toContain('not installed');
    expect(e.message).toContain('npm install @tensorflow/tfjs-node-gpu');
    expect(e.message).toContain('CUDA 11.2');
    expect(e.message).toContain('cuDNN 8.1');
    expect(e.message).toContain('NVIDIA driver');
    expect((e.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
  });

  it("'gpu' refuses tfjs-node-gpu when it finds no CUDA device", async () => {
    const error = await selectEngine('gpu', { resolve: resolverWith({ '@tensorflow/tfjs-node-gpu': fakeNativeModule(false) }) }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    expect((error as EngineUnavailableError).reason).toContain('no usable CUDA device');
  });

  it("'cpu' without @tensorflow/tfjs-node throws EngineUnavailableError explaining the libtensorflow download", async () => {
    const error = await selectEngine('cpu', { resolve: resolverWith({ '@tensorflow/tfjs-node-gpu': fakeNativeModule(true) }) }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    const e = error as EngineUnavailableError;
    expect(e.engine).toBe('tfjs-node');
    expect(e.message).toContain('npm install @tensorflow/tfjs-node');
    expect(e.message).toContain('libtensorflow');
    expect(e.message).toContain('install time');
  });

  it('reports a native engine that is installed but fails to load, with the load error as cause', async () => {
    const broken = new Error('libtensorflow.so.2: cannot open shared object file');
    const resolve: ModuleResolver = async (specifier) => {
      if (specifier === '@tensorflow/tfjs-node') throw broken;
      throw notInstalled(specifier);
    };
    const error = await selectEngine('cpu', { resolve }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    expect((error as EngineUnavailableError).reason).toContain('failed to load: libtensorflow.so.2');
    expect((error as Error).cause).toBe(broken);
  });

  it('rejects a module that is not the tfjs API', async () => {
    const error = await selectEngine('cpu', { resolve: resolverWith({ '@tensorflow/tfjs-node': { hello: 1 } }) }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    expect((error as EngineUnavailableError).reason).toContain('did not export the TensorFlow.js API');
  });

  it('rejects an unknown device', async () => {
    const error = await selectEngine('tpu' as never, { resolve: resolverWith({}) }).catch((e: unknown) => e);
    expect(EngineUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("unknown device 'tpu'");
  });
});
