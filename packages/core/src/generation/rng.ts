/** A seeded pseudo-random number generator. */
export interface Rng {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** The next float in [0, 1), with 24 random bits (float32 resolution, enough to sample a vocabulary). */
  nextFloat(): number;
}

/**
 * xoshiro128** 1.1 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), its 128-bit state filled by
 * SplitMix32 from `seed`. The same seed always gives the same sequence on every platform.
 *
 * `seed` may be any finite number: its integer part's low and high 32 bits are both mixed in.
 */
export function createRng(seed: number): Rng {
  const whole = Math.trunc(seed);
  let mix = (whole >>> 0) ^ Math.imul(Math.floor(whole / 2 ** 32) >>> 0, 0x85ebca6b);
  const splitMix32 = () => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  return xoshiro128StarStar([splitMix32(), splitMix32(), splitMix32(), splitMix32()]);
}

/**
 * xoshiro128** over an explicit 128-bit state (four uint32 words, not all zero; an all-zero state is replaced by
 * `[1, 0, 0, 0]`, the generator's only fixed point being zero). Use {@link createRng} to seed from a number.
 */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): Rng {
  let [s0, s1, s2, s3] = state.map((word) => word >>> 0);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return { nextUint32, nextFloat: () => (nextUint32() >>> 8) / 16_777_216 };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
