/**
 * `@pio/core/testing/temp-dir`: {@link makeTempDir}, temp folders for tests that vitest removes when the test or
 * file is done.
 *
 * Separate from `@pio/core/testing` because it imports `vitest` (an optional peer dependency of `@pio/core`), while
 * the reference backend there is also used outside tests (for example by the CLI's `PIO_BACKEND=reference`).
 *
 * @module @pio/core/testing/temp-dir
 */
export * from './make-temp-dir.js';
