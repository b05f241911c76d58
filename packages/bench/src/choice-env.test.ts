import { describe, expect, it } from 'vitest';
import { choiceEnv } from './choice-env.js';

describe('choiceEnv', () => {
  it('reads one of the choices, and the fallback when the variable is unset', () => {
    expect(choiceEnv('PIO_BENCH_KV', 'float16', ['float16', 'float32'], {})).toBe('float16');
    expect(choiceEnv('PIO_BENCH_KV', 'float16', ['float16', 'float32'], { PIO_BENCH_KV: 'float32' })).toBe('float32');
  });

  it.each(['f32', 'Float32', '', 'float32 '])('throws on %j, naming the variable, the choices and the value', (value) => {
    expect(() => choiceEnv('PIO_BENCH_KV', 'float16', ['float16', 'float32'], { PIO_BENCH_KV: value })).toThrow(
      `PIO_BENCH_KV must be one of float16, float32 (unset: float16), got '${value}'`,
    );
  });
});
