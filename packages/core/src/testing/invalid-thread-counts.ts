/**
 * Thread counts a backend must refuse (`checkThreadCount`), each with how the error shows the value it found: zero,
 * negative, fractional, not finite, past a C `int`, and a string.
 */
export const INVALID_THREAD_COUNTS: ReadonlyArray<readonly [value: unknown, shown: string]> = [
  [0, '0'],
  [-1, '-1'],
  [2.5, '2.5'],
  [Number.NaN, 'NaN'],
  [Number.POSITIVE_INFINITY, 'Infinity'],
  [2 ** 31, String(2 ** 31)],
  [2 ** 53, String(2 ** 53)],
  ['2', '"2"'],
];
