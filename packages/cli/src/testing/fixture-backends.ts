import { createGgmlBackend } from '@pio/backend-ggml';
import type { Backend } from '@pio/core';
import { createBackendFactory } from '../services/create-backend-factory.js';

/** The name of a real backend the fixture-model tests run on. */
export type FixtureBackendName = 'ggml' | 'tfjs';

/**
 * The real backends the fixture-model tests run on, by name: ggml on one thread (the CLI default) and TensorFlow.js on
 * its CPU engine. Each call creates a new backend; the caller disposes it. Iterate `Object.keys(FIXTURE_BACKENDS)` in a
 * `describe.each` to run a suite on both.
 */
export const FIXTURE_BACKENDS: Readonly<Record<FixtureBackendName, () => Promise<Backend>>> = {
  ggml: () => createGgmlBackend({ threads: 1 }),
  tfjs: () => createBackendFactory({ backend: 'tfjs' })('cpu'),
};

/** The names of {@link FIXTURE_BACKENDS}, for `describe.each`. */
export const FIXTURE_BACKEND_NAMES = Object.keys(FIXTURE_BACKENDS) as readonly FixtureBackendName[];
