import { checkThreadCount } from '@pio/core';

/**
 * Checks a `threads` option before it reaches ggml (core's `checkThreadCount`): `undefined` (the caller's default,
 * every core) or a positive integer up to 2^31 - 1 passes through unchanged; anything else is an `InvalidConfigError`
 * naming `threads`, the value received and what to pass, instead of a count that used to be clamped (0 to 1, 2.7 to 2)
 * or crashed the process inside ggml (`NaN`, `Infinity`, a count past the C `int`). Internal to this package.
 *
 * @param threads The option as given.
 * @param source Where it was given, for the message, e.g. `createGgmlBackend options`.
 * @throws `InvalidConfigError` (code `PIO_INVALID_CONFIG`) when `threads` is set and not such an integer.
 */
export function checkThreadsOption(threads: unknown, source: string): number | undefined {
  return checkThreadCount(threads, {
    source,
    path: 'threads',
    hint: ': pass one, e.g. os.availableParallelism(), or leave threads out to use every core',
  });
}
