/**
 * `@pio/core/testing`: the plain-JavaScript reference backend and a tiny in-memory weight source for tests.
 *
 * The backend conformance suite lives at `@pio/core/testing/conformance` (it imports `vitest`).
 *
 * @module @pio/core/testing
 */
export * from './reference-backend/create-reference-backend.js';
export * from './in-memory-weight-source.js';
export * from './random-bf16-tensors.js';
export * from './png-header.js';
export * from './golden-fixture.js';
export * from './call-text-plugin-methods.js';
export * from './solid-png.js';
export * from './logit-error-tally.js';
export * from './open-test-plugin.js';
export * from './single-tool-call.js';
export * from './unloaded-plugin-problems.js';
export * from './activation-error.js';
export * from './write-edited-config.js';
export * from './parent-segment-problems.js';
export * from './greedy-session-steps.js';
export * from './last-position-logits.js';
export * from './invalid-thread-counts.js';
