import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { describeValue } from '../config/config-issues.js';

/** The most CPU threads a backend option takes: ggml and XNNPACK take the count as a C `int` (a larger one wraps). */
export const MAX_THREAD_COUNT = 2 ** 31 - 1;

/** Where a thread-count option was given, for {@link checkThreadCount}'s error. */
export interface ThreadCountOption {
  /** Where the options came from, e.g. `createGgmlBackend options`. */
  readonly source: string;
  /** The option's name, e.g. `threads`. */
  readonly path: string;
  /** What to do instead, appended to "a positive integer (at most 2147483647)", e.g. `, or leave threads out`. */
  readonly hint: string;
}

/**
 * Checks a backend's thread-count option before it reaches native code: `undefined` (the backend's default) or an
 * integer from 1 to {@link MAX_THREAD_COUNT} passes through unchanged; anything else (0, a negative or fractional
 * number, `NaN`, `Infinity`, a string) is an `InvalidConfigError` naming the option, the value received and what to
 * pass, instead of a count rounded, clamped or wrapped on the way into C.
 *
 * @throws `InvalidConfigError` (code `PIO_INVALID_CONFIG`) when `value` is set and not such an integer.
 */
export function checkThreadCount(value: unknown, option: ThreadCountOption): number | undefined {
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_THREAD_COUNT)) return value;
  throw new InvalidConfigError({
    source: option.source,
    issues: [{ path: option.path, expected: `a positive integer (at most ${MAX_THREAD_COUNT})${option.hint}`, found: describeValue(value) }],
  });
}
