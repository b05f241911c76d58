import { describe, expect, it } from 'vitest';
import { createGgmlRowEncoder } from './ggml-row-encoder.js';

describe('createGgmlRowEncoder', () => {
  it('encodes float32 rows as their own bytes and Q8_0 rows as 34-byte blocks of 32 values', async () => {
    const encoder = await createGgmlRowEncoder();
    const values = Float32Array.from({ length: 2 * 64 }, (_, i) => Math.sin(i));
    expect(encoder.encode('float32', values, 2, 64)).toEqual(new Uint8Array(values.buffer));
    expect(encoder.byteLength('q8_0', 2, 64)).toBe(2 * 2 * 34);
    const q8 = encoder.encode('q8_0', values, 2, 64);
    expect(q8.byteLength).toBe(136);
    // Q8_0 block: an f16 scale (max |x| / 127), then 32 int8 values; value 1 of row 0 is sin(1) ≈ 0.841
    const view = new DataView(q8.buffer);
    const half = view.getUint16(0, true);
    const scale = 2 ** (((half >> 10) & 31) - 15) * (1 + (half & 1023) / 1024);
    expect(scale * view.getInt8(3)).toBeCloseTo(Math.sin(1), 2);
    expect(encoder.ggmlType('float16')).toBe(1);
    expect(encoder.ggmlType('int8')).toBeUndefined();
  });

  it('refuses a storage ggml has no type for and values that do not fill the shape', async () => {
    const encoder = await createGgmlRowEncoder();
    expect(() => encoder.encode('int8', new Float32Array(32), 1, 32)).toThrow('ggml has no storage type for int8');
    expect(() => encoder.encode('float16', new Float32Array(31), 1, 32)).toThrow('31 values are not [1, 32]');
  });
});
