/**
 * `@pio/core/testing/conformance`: the backend conformance suite, {@link describeBackendConformance}.
 *
 * Separate from `@pio/core/testing` because it imports `vitest` (an optional peer dependency of `@pio/core`), while
 * the reference backend there is also used outside tests (for example by the CLI's `PIO_BACKEND=reference`).
 *
 * @module @pio/core/testing/conformance
 */
export * from './backend-conformance.js';
