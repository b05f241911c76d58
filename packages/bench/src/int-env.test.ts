import { describe, expect, it } from 'vitest';
import { intEnv } from './int-env.js';

describe('intEnv', () => {
  it('reads the variable, and the fallback when it is unset', () => {
    expect(intEnv('PIO_BENCH_PROMPT', 128, { what: 'prompt tokens' }, {})).toBe(128);
    expect(intEnv('PIO_BENCH_PROMPT', 128, { what: 'prompt tokens' }, { PIO_BENCH_PROMPT: '2048' })).toBe(2048);
    expect(intEnv('PIO_BENCH_WARMUP', 8, { min: 0, what: 'warm-up steps' }, { PIO_BENCH_WARMUP: '0' })).toBe(0);
  });

  it.each(['0', '-1', '2.5', '1k', 'abc', 'NaN', 'Infinity', '1e30', '', ' '])('throws on %j, naming the variable, its meaning and the value', (value) => {
    expect(() => intEnv('PIO_BENCH_PROMPT', 128, { what: 'prompt tokens' }, { PIO_BENCH_PROMPT: value })).toThrow(
      `PIO_BENCH_PROMPT must be a positive integer (prompt tokens; unset: 128), got '${value}'`,
    );
  });

  it('applies its range', () => {
    expect(() => intEnv('PIO_BENCH_WARMUP', 8, { min: 0, what: 'warm-up steps' }, { PIO_BENCH_WARMUP: '-1' })).toThrow(
      "PIO_BENCH_WARMUP must be an integer >= 0 (warm-up steps; unset: 8), got '-1'",
    );
    expect(() => intEnv('PAD', 256, { max: 4096, what: 'KV cache padding' }, { PAD: '8192' })).toThrow(
      "PAD must be a positive integer up to 4096 (KV cache padding; unset: 256), got '8192'",
    );
  });
});
