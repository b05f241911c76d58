import { describe, expect, it } from 'vitest';
import { createInMemoryWeightSource } from '../testing/in-memory-weight-source.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { LayerNorm } from './layer-norm.js';

describe('LayerNorm', () => {
  it('normalises over the last axis with the biased variance, then scales and shifts', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, {
      'ln.weight': { shape: [3], values: [1, 1, 2] },
      'ln.bias': { shape: [3], values: [0, 1, 0] },
    });
    const ln = await LayerNorm.load(backend, source, 'ln', { dim: 3, eps: 0 });
    // row [1, 2, 3]: mean 2, variance 2/3 → [-1.2247, 0, 1.2247], times [1, 1, 2] plus [0, 1, 0]
    const y = await ln.forward(backend.tensor([1, 2, 3], [1, 3])).data();
    [-1.224744871391589, 1, 2.449489742783178].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    const withEps = await LayerNorm.load(backend, source, 'ln', { dim: 3, eps: 1 / 3 });
    // variance 2/3 + 1/3 = 1 → [-1, 0, 1] scaled and shifted; a constant row maps to the bias
    const z = await withEps.forward(backend.tensor([1, 2, 3, 5, 5, 5], [2, 3])).data();
    [-1, 1, 2, 0, 1, 0].forEach((v, i) => expect(z[i]).toBeCloseTo(v, 6));
  });
});
