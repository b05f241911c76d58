import { describe, expect, it } from 'vitest';
import { bf16ToFloat32 } from '../backend/host-tensor-decode.js';
import { createRandomBf16Tensors } from './random-bf16-tensors.js';

const values = (bytes: Uint8Array) => Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2), bf16ToFloat32);

describe('createRandomBf16Tensors', () => {
  it('makes values in [-scale, scale), ones for norm scales, the same sequence for the same seed', () => {
    const a = createRandomBf16Tensors({ scale: 0.5, seed: 7 });
    const b = createRandomBf16Tensors({ scale: 0.5, seed: 7 });
    const x = values(a.make('w', [64, 8]).bytes);
    expect(x.every((v) => v >= -0.5 && v < 0.5)).toBe(true);
    // 512 uniform draws cover the range: both tails within a tenth of its ends
    expect(Math.min(...x)).toBeLessThan(-0.4);
    expect(Math.max(...x)).toBeGreaterThan(0.4);
    expect(values(b.make('w', [64, 8]).bytes)).toEqual(x);
    expect(values(a.make('input_layernorm.weight', [4]).bytes)).toEqual([1, 1, 1, 1]);
  });

  it('with perName, a tensor has the same values whatever was made before it; without, it depends on the order', () => {
    const first = createRandomBf16Tensors({ seed: 3, perName: true });
    const later = createRandomBf16Tensors({ seed: 3, perName: true });
    later.make('other', [100]);
    expect(values(later.make('w', [32]).bytes)).toEqual(values(first.make('w', [32]).bytes));
    expect(values(first.make('v', [32]).bytes)).not.toEqual(values(first.make('w', [32]).bytes));
    const stream = createRandomBf16Tensors({ seed: 3 });
    const again = createRandomBf16Tensors({ seed: 3 });
    again.make('other', [100]);
    expect(values(again.make('w', [32]).bytes)).not.toEqual(values(stream.make('w', [32]).bytes));
  });
});
