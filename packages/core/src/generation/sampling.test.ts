import { describe, expect, it } from 'vitest';
import { createRng, xoshiro128StarStar, type Rng } from './rng.js';
import { argMax, sampleToken } from './sample-token.js';
import { tokenLogprobs } from './token-logprobs.js';
import { topIndices } from './top-indices.js';

const fixedRng = (...floats: number[]): Rng => ({ nextUint32: () => 0, nextFloat: () => floats.shift()! });

describe('random numbers', () => {
  it('xoshiro128** matches the reference outputs for state {1, 2, 3, 4}', () => {
    // First outputs of the reference C code (prng.di.unimi.it/xoshiro128starstar.c) from s = {1, 2, 3, 4};
    // the first two by hand: rotl(2 * 5, 7) * 9 = 11520, then s[1] becomes 0, giving 0.
    const rng = xoshiro128StarStar([1, 2, 3, 4]);
    const out = Array.from({ length: 8 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 16 }, () => rng.nextFloat());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40 + 42)).not.toEqual(draw(42));
    for (const x of draw(7)) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('token choice', () => {
  it('argMax takes the first index on ties', () => {
    expect(argMax(Float32Array.from([1, 3, 2, 3]))).toBe(1);
    expect(argMax(Float32Array.from([-Infinity, -Infinity]))).toBe(0);
    expect(argMax(Float32Array.from([Number.NaN, 1, Number.NaN]))).toBe(1);
  });

  it('sampleToken inverts the CDF of softmax(logits)', () => {
    const logits = Float32Array.from([Math.log(0.25), Math.log(0.25), Math.log(0.5)]);
    expect(sampleToken(logits, fixedRng(0.1))).toBe(0);
    expect(sampleToken(logits, fixedRng(0.3))).toBe(1);
    expect(sampleToken(logits, fixedRng(0.6))).toBe(2);
    expect(sampleToken(Float32Array.from([-Infinity, 0, -Infinity]), fixedRng(0.99))).toBe(1);
  });

  it('sampleToken follows the distribution over many seeded draws', () => {
    const logits = Float32Array.from([Math.log(0.2), Math.log(0.8)]);
    const rng = createRng(1);
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += sampleToken(logits, rng);
    expect(ones / 4000).toBeGreaterThan(0.77);
    expect(ones / 4000).toBeLessThan(0.83);
  });

  it('topIndices agrees with a full sort (value descending, index ascending)', () => {
    const rng = createRng(3);
    for (const [n, k] of [
      [1, 1],
      [10, 3],
      [200, 64],
      [500, 499],
      [300, 300],
    ]) {
      const values = Float32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * 20)); // many ties
      const expected = Array.from(values.keys())
        .sort((a, b) => values[b] - values[a] || a - b)
        .slice(0, k);
      expect(topIndices(values, k)).toEqual(expected);
    }
  });
});

describe('tokenLogprobs', () => {
  it('is log_softmax(logits / temperature)', () => {
    const logits = Float32Array.from([0, Math.log(3)]);
    const r = tokenLogprobs(logits, 1, 1, 2);
    expect(r.logprob).toBeCloseTo(Math.log(0.75), 6);
    expect(r.top).toEqual([
      { token: 1, logprob: expect.closeTo(Math.log(0.75), 6) },
      { token: 0, logprob: expect.closeTo(Math.log(0.25), 6) },
    ]);
    // temperature 2: logits [0, ln(3)/2] -> probabilities 1 / (1 + sqrt 3), sqrt 3 / (1 + sqrt 3)
    expect(tokenLogprobs(logits, 0, 2, 0).logprob).toBeCloseTo(Math.log(1 / (1 + Math.sqrt(3))), 6);
    expect(tokenLogprobs(logits, 0, 2, 0).top).toBeUndefined();
  });
});
