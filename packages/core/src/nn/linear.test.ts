import { describe, expect, it } from 'vitest';
import { WeightLoadError } from '../errors/weight-load-error.js';
import { WeightShapeError } from '../errors/weight-shape-error.js';
import { createInMemoryWeightSource } from '../testing/in-memory-weight-source.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { Linear } from './linear.js';

const W = { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }; // [out 2, in 3]
const B = { shape: [2], values: [0.5, -1] };

describe('Linear', () => {
  it('computes x W^T + b with W in [out, in] layout', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, { 'proj.weight': W, 'proj.bias': B });
    const linear = await Linear.load(backend, source, 'proj', { inFeatures: 3, outFeatures: 2, bias: true });
    const x = backend.tensor([1, 0, -1, 2, 1, 0], [1, 2, 3]);
    const y = linear.forward(x);
    expect([...y.shape]).toEqual([1, 2, 2]);
    // row 0: [1-3+0.5, 4-6-1]; row 1: [2+2+0.5, 8+5-1]
    expect([...(await y.data())]).toEqual([-1.5, -3, 4.5, 12]);
  });

  it('takes an optional bias only when present and never an unrequested one', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, { 'a.weight': W, 'b.weight': W, 'b.bias': B });
    const a = await Linear.load(backend, source, 'a', { inFeatures: 3, outFeatures: 2, bias: 'optional' });
    expect(a.bias).toBeUndefined();
    const b = await Linear.load(backend, source, 'b', { inFeatures: 3, outFeatures: 2, bias: false });
    expect(b.bias).toBeUndefined();
    expect(source.untaken()).toEqual(['b.bias']);
    const x = backend.tensor([1, 1, 1], [1, 3]);
    expect([...(await a.forward(x).data())]).toEqual([6, 15]);
  });

  it('reports a missing bias and a wrong weight shape with typed errors', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, { 'p.weight': W });
    await expect(Linear.load(backend, source, 'p', { inFeatures: 3, outFeatures: 2, bias: true })).rejects.toSatisfy(WeightLoadError.isInstance);
    await expect(Linear.load(backend, source, 'p', { inFeatures: 2, outFeatures: 3, bias: false })).rejects.toSatisfy(WeightShapeError.isInstance);
  });

  it('frees its weights on dispose', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, { 'p.weight': W, 'p.bias': B });
    const linear = await Linear.load(backend, source, 'p', { inFeatures: 3, outFeatures: 2, bias: true });
    expect(backend.memory().tensors).toBe(2);
    linear.dispose();
    expect(backend.memory().tensors).toBe(0);
  });
});
