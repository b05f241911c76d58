import { describe, expect, it } from 'vitest';
import { threadsEnv } from './threads-env.js';

describe('threadsEnv', () => {
  it('reads THREADS by default, and the fallback (2) when it is unset', () => {
    expect(threadsEnv(undefined, undefined, {})).toBe(2);
    expect(threadsEnv(undefined, undefined, { THREADS: '3' })).toBe(3);
    expect(threadsEnv('THREADS', 2, { THREADS: '1', PIO_BENCH_THREADS: '4' })).toBe(1);
  });

  it('reads the variable it is given, with its own fallback', () => {
    expect(threadsEnv('PIO_BENCH_THREADS', 2, { THREADS: '5' })).toBe(2);
    expect(threadsEnv('PIO_BENCH_THREADS', 2, { PIO_BENCH_THREADS: '4' })).toBe(4);
    expect(threadsEnv('PIO_BENCH_THREADS', 6, {})).toBe(6);
  });

  it.each(['0', '-1', '2.5', 'abc', 'NaN', 'Infinity', '1e30', '2147483648', '', ' '])('throws on %j, naming the variable and the value', (value) => {
    expect(() => threadsEnv('PIO_BENCH_THREADS', 2, { PIO_BENCH_THREADS: value })).toThrow(
      `PIO_BENCH_THREADS must be a positive integer up to 2147483647 (a CPU thread count; unset: 2), got '${value}'`,
    );
    expect(() => threadsEnv(undefined, undefined, { THREADS: value })).toThrow(/^THREADS must be a positive integer/);
  });
});
