import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { applySwiglu } from './swiglu.js';

const gate = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(i * 0.7) * 6);
const up = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.cos(i * 0.3) * 2);

describe('applySwiglu', () => {
  it('uses the backend swiglu when present and silu + mul otherwise, with the same values', async () => {
    const b = createReferenceBackend();
    const calls: string[] = [];
    const spy: Backend = Object.assign(Object.create(b) as Backend, {
      swiglu: (g: Parameters<NonNullable<Backend['swiglu']>>[0], u: Parameters<NonNullable<Backend['swiglu']>>[1]) => {
        calls.push('swiglu');
        return b.swiglu?.(g, u);
      },
    });
    const fused = await applySwiglu(spy, b.tensor(gate, [2, 3, 5]), b.tensor(up, [2, 3, 5])).data();
    expect(calls).toEqual(['swiglu']);
    const withoutFused: Backend = Object.assign(Object.create(b) as Backend, { swiglu: undefined });
    const separate = await applySwiglu(withoutFused, b.tensor(gate, [2, 3, 5]), b.tensor(up, [2, 3, 5])).data();
    expect([...fused]).toEqual([...separate]);
    const want = Array.from(gate, (g, i) => Math.fround(g * (1 / (1 + Math.exp(-g))) * up[i])); // the reference computes in float64
    expect([...fused]).toEqual(want);
  });
});
