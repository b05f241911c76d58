import type { Backend } from '@pio/core';
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
