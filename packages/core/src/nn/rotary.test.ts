import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { ropeInverseFrequencies, ropeTables, ropeTensors } from './rotary.js';

describe('ropeInverseFrequencies', () => {
  it('is 1 / theta^(2i / dim)', () => {
    // theta 16, dim 8: exponents 0, 1/4, 1/2, 3/4 → 1, 2, 4, 8.
    expect([...ropeInverseFrequencies(8, 16)]).toEqual([1, 0.5, 0.25, 0.125]);
    // theta 10000, dim 4: 1 and 1/100, as float32.
    expect([...ropeInverseFrequencies(4, 10000)]).toEqual([1, Math.fround(0.01)]);
    // theta 10000, dim 8: 1, 1/10, 1/100, 1/1000 within float32 rounding.
    const f = ropeInverseFrequencies(8, 10000);
    expect(f).toBeInstanceOf(Float32Array);
    [1, 0.1, 0.01, 0.001].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 7));
  });
});

describe('ropeTables', () => {
  it('lays out cos/sin as [batch, seq, pairs] of position x inverse frequency', () => {
    const { cos, sin } = ropeTables(1, 3, new Float32Array([1, 0.5]), (_b, s) => s);
    // angles: s=0 → 0, 0; s=1 → 1, 0.5; s=2 → 2, 1
    const cosExpected = [1, 1, 0.5403023058681398, 0.8775825618903728, -0.4161468365471424, 0.5403023058681398];
    const sinExpected = [0, 0, 0.8414709848078965, 0.479425538604203, 0.9092974268256817, 0.8414709848078965];
    cosExpected.forEach((v, i) => expect(cos[i]).toBeCloseTo(v, 7));
    sinExpected.forEach((v, i) => expect(sin[i]).toBeCloseTo(v, 7));
  });

  it('asks for the position of every batch row, step and pair (multimodal RoPE)', () => {
    const seen: string[] = [];
    const { cos } = ropeTables(2, 2, new Float32Array([1, 1, 1]), (b, s, pair) => {
      seen.push(`${b}${s}${pair}`);
      return pair === 0 ? s : pair === 1 ? 10 * b : 0; // temporal, height, width positions
    });
    expect(seen).toEqual(['000', '001', '002', '010', '011', '012', '100', '101', '102', '110', '111', '112']);
    const c10 = Math.fround(Math.cos(10));
    const c1 = Math.fround(Math.cos(1));
    expect([...cos]).toEqual([1, 1, 1, c1, 1, 1, 1, c10, 1, c1, c10, 1]);
  });

  it('rounds the angle to float32 before cos/sin, as a float32 reference does', () => {
    const invFreq = new Float32Array([0.1]);
    const position = 1234567;
    const { cos } = ropeTables(1, 1, invFreq, () => position);
    const rounded = Math.fround(position * invFreq[0]); // 123456.703125, not 123456.70184...
    expect(rounded).not.toBe(position * invFreq[0]);
    expect(cos[0]).toBe(Math.fround(Math.cos(rounded)));
    expect(Math.abs(cos[0] - Math.cos(position * invFreq[0]))).toBeGreaterThan(1e-4);
  });
});

describe('ropeTensors', () => {
  it('uploads the tables as [batch, seq, pairs]', async () => {
    const backend = createReferenceBackend();
    const tables = ropeTables(2, 3, new Float32Array([1, 0.25]), (b, s) => b + s);
    const { cos, sin } = ropeTensors(backend, tables, 2, 3);
    expect([...cos.shape]).toEqual([2, 3, 2]);
    expect([...sin.shape]).toEqual([2, 3, 2]);
    expect(await cos.data()).toEqual(tables.cos);
    expect(await sin.data()).toEqual(tables.sin);
  });
});
