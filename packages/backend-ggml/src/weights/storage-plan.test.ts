import type { WeightStorage } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { GGML_WEIGHT_STORAGE, planStorage } from './storage-plan.js';

// ggml_type values from ggml.h of the llama.cpp release bundled in @node-llama-cpp 3.22.1 (tag v0.5.0).
const F32 = 0;
const F16 = 1;
const Q4_0 = 2;
const Q8_0 = 8;
const Q4_K = 12;
const BF16 = 30;

describe('planStorage', () => {
  it('offers float32, float16, bfloat16, q8_0, q4_k and q4_0', () => {
    expect([...GGML_WEIGHT_STORAGE]).toEqual(['float32', 'float16', 'bfloat16', 'q8_0', 'q4_k', 'q4_0']);
  });

  it('keeps plain weights and scalars float32 whatever is asked for', () => {
    for (const storage of ['float16', 'bfloat16', 'q8_0', 'q4_k', 'q4_0', 'int8', 'int4'] as WeightStorage[]) {
      expect(planStorage('plain', storage, [512, 512])).toEqual({ storage: 'float32', ggmlType: F32 });
      expect(planStorage('linear', storage, [])).toEqual({ storage: 'float32', ggmlType: F32 });
    }
  });

  it('stores each native type as asked when the rows fit its block', () => {
    const cases: Array<[WeightStorage, WeightStorage, number]> = [
      ['float32', 'float32', F32],
      ['float16', 'float16', F16],
      ['bfloat16', 'bfloat16', BF16],
      ['q8_0', 'q8_0', Q8_0],
      ['q4_0', 'q4_0', Q4_0],
      ['q4_k', 'q4_k', Q4_K],
    ];
    for (const [requested, storage, ggmlType] of cases) {
      expect(planStorage('linear', requested, [8, 512])).toEqual({ storage, ggmlType });
      expect(planStorage('embedding', requested, [100, 256])).toEqual({ storage, ggmlType });
    }
  });

  it('maps int8 to q8_0 and int4 to q4_0 (symmetric, one scale per 32 columns)', () => {
    expect(planStorage('linear', 'int8', [4, 512])).toEqual({ storage: 'q8_0', ggmlType: Q8_0 });
    expect(planStorage('linear', 'int4', [4, 512])).toEqual({ storage: 'q4_0', ggmlType: Q4_0 });
  });

  it('falls back from q4_k to q4_0 on rows of a multiple of 32 but not of 256, else to float16', () => {
    expect(planStorage('linear', 'q4_k', [4, 96])).toEqual({ storage: 'q4_0', ggmlType: Q4_0 });
    expect(planStorage('linear', 'q4_k', [4, 288])).toEqual({ storage: 'q4_0', ggmlType: Q4_0 });
    expect(planStorage('linear', 'q4_k', [4, 40])).toEqual({ storage: 'float16', ggmlType: F16 });
    // only the row (last axis) matters: 256 rows of 40 values do not make a super-block
    expect(planStorage('linear', 'q4_k', [256, 40])).toEqual({ storage: 'float16', ggmlType: F16 });
    expect(planStorage('linear', 'q4_k', [3, 2, 768])).toEqual({ storage: 'q4_k', ggmlType: Q4_K });
  });

  it('falls back from q8_0, q4_0 and int8/int4 to float16 on rows that are not a multiple of 32', () => {
    for (const storage of ['q8_0', 'q4_0', 'int8', 'int4'] as WeightStorage[]) {
      expect(planStorage('linear', storage, [4, 48])).toEqual({ storage: 'float16', ggmlType: F16 });
    }
  });

  it('never falls back for the float types', () => {
    expect(planStorage('linear', 'bfloat16', [3, 7])).toEqual({ storage: 'bfloat16', ggmlType: BF16 });
    expect(planStorage('linear', 'float16', [3, 7])).toEqual({ storage: 'float16', ggmlType: F16 });
  });
});
