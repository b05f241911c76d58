import type { Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createTfjsBackend } from '@pio/backend-tfjs';

/** The tfjs engine users run, on the given device (test helper). */
export async function createTestTfjsBackend(device: 'wasm' | 'js'): Promise<Backend> {
  return createTfjsBackend({ device });
}

/** The ggml backend (float32 weights unless a test asks for another storage), two threads (test helper). */
export async function createTestGgmlBackend(): Promise<Backend> {
  return createGgmlBackend({ threads: 2 });
}

/**
 * The backends every GLM golden test runs on, by name: the reference, tfjs on wasm and ggml (test helper; reference
 * and ggml have `writeWeightRows`, tfjs falls back to the bounded expert cache under an expert budget).
 */
export const GLM_TEST_ENGINES: Array<[string, () => Promise<Backend>]> = [
  ['reference', async () => createReferenceBackend()],
  ['tfjs-wasm', () => createTestTfjsBackend('wasm')],
  ['ggml', () => createTestGgmlBackend()],
];
