import { describe, expect, it } from 'vitest';
import { createInMemoryWeightSource } from '../testing/in-memory-weight-source.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { RMSNorm } from './rms-norm.js';

describe('RMSNorm', () => {
  it('divides by the root mean square (plus eps) and scales', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, { 'norm.weight': { shape: [2], values: [1, 2] } });
    const x = backend.tensor([3, 4, -3, -4], [2, 1, 2]);
    // mean(x^2) = 12.5: [3, 8] / sqrt(12.5)
    const plain = await RMSNorm.load(backend, source, 'norm', { dim: 2, eps: 0 });
    const y = await plain.forward(x).data();
    [0.8485281374238571, 2.2627416997969525, -0.8485281374238571, -2.2627416997969525].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    // eps 0.5: [3, 8] / sqrt(13)
    const withEps = await RMSNorm.load(backend, source, 'norm', { dim: 2, eps: 0.5 });
    const z = await withEps.forward(x).data();
    [0.8320502943378437, 2.218800784900916].forEach((v, i) => expect(z[i]).toBeCloseTo(v, 6));
    expect(withEps.eps).toBe(0.5);
  });
});
