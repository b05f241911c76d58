import { describe, expect, it } from 'vitest';
import { erf } from './erf.js';

// Published values of erf (e.g. Abramowitz & Stegun table 7.1, extended to double precision).
const KNOWN: Array<[number, number]> = [
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [4, 0.9999999845827421],
];

describe('erf', () => {
  it('matches published values to double precision', () => {
    for (const [x, expected] of KNOWN) {
      expect(Math.abs(erf(x) - expected), `erf(${x})`).toBeLessThanOrEqual(4e-16);
      expect(Math.abs(erf(-x) + expected), `erf(${-x})`).toBeLessThanOrEqual(4e-16);
    }
  });

  it('handles 0, the tails, infinities and NaN', () => {
    expect(erf(0)).toBe(0);
    expect(erf(7)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(Infinity)).toBe(1);
    expect(erf(NaN)).toBeNaN();
  });

  it('is continuous where the series hands over to the continued fraction', () => {
    const below = erf(2 - 1e-12);
    const above = erf(2);
    expect(Math.abs(above - below)).toBeLessThan(1e-13);
  });
});
