import { describeValue, InvalidConfigError } from '@pio/core';

/** The most threads ggml can be asked for: it takes the count as a C `int` (a larger one wraps, and ggml crashes). */
const MAX_THREADS = 2 ** 31 - 1;

/**
 * Checks a `threads` option before it reaches ggml: `undefined` (the caller's default, every core) or a positive
 * integer up to 2^31 - 1 (ggml's C `int`) passes through unchanged; anything else (0, a negative or fractional number,
 * `NaN`, `Infinity`, a string) is an `InvalidConfigError` naming `threads`, the value received and what to pass,
 * instead of a count that used to be clamped (0 to 1, 2.7 to 2) or crashed the process inside ggml (`NaN`,
 * `Infinity`, a count past the `int`, which wraps). Internal to this package.
 *
 * @param threads The option as given.
 * @param source Where it was given, for the message, e.g. `createGgmlBackend options`.
 * @throws `InvalidConfigError` (code `PIO_INVALID_CONFIG`) when `threads` is set and not such an integer.
 */
export function checkThreadsOption(threads: unknown, source: string): number | undefined {
  if (threads === undefined || (typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) return threads;
  throw new InvalidConfigError({
    source,
    issues: [
      {
        path: 'threads',
        expected: `a positive integer (at most ${MAX_THREADS}): pass one, e.g. os.availableParallelism(), or leave threads out to use every core`,
        found: describeValue(threads),
      },
    ],
  });
}
