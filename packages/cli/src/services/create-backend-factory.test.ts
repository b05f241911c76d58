import { describe, expect, it } from 'vitest';
import { createBackendFactory } from './create-backend-factory.js';

describe('createBackendFactory', () => {
  const missingGgml = async () => {
    throw new Error("Cannot find package '@pio/backend-ggml'\nmore detail");
  };

  it('auto uses ggml when it starts', async () => {
    const notices: string[] = [];
    const backend = await createBackendFactory('auto', undefined, (m) => notices.push(m))('cpu');
    expect(backend.engine).toMatch(/^ggml/);
    expect(notices).toEqual([]);
    backend.dispose();
  });

  it('auto falls back to TensorFlow.js with a one-line notice when ggml is not installed', async () => {
    const notices: string[] = [];
    const { createTfjsBackend } = await import('@pio/backend-tfjs');
    const backend = await createBackendFactory('auto', undefined, (m) => notices.push(m), { ggml: missingGgml, tfjs: async () => ({ createTfjsBackend }) })('cpu');
    expect(backend.engine).toMatch(/^tfjs-/);
    expect(notices).toEqual(["The ggml backend is not available (Cannot find package '@pio/backend-ggml'); using TensorFlow.js, which is much slower."]);
    backend.dispose();
  });

  it('an explicit ggml choice fails instead of falling back', async () => {
    const { createTfjsBackend } = await import('@pio/backend-tfjs');
    await expect(createBackendFactory('ggml', undefined, () => {}, { ggml: missingGgml, tfjs: async () => ({ createTfjsBackend }) })('cpu')).rejects.toThrow(/Cannot find package/);
  });
});
