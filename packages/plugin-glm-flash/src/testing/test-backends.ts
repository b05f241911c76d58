import type { Backend } from '@pio/core';
import { createTfjsBackend } from '@pio/backend-tfjs';

/** The tfjs engine users run, on the given device (test helper). */
export async function createTestTfjsBackend(device: 'wasm' | 'js'): Promise<Backend> {
  return createTfjsBackend({ device });
}
