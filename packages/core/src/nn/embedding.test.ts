import { describe, expect, it } from 'vitest';
import { createInMemoryWeightSource } from '../testing/in-memory-weight-source.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { Embedding } from './embedding.js';

describe('Embedding', () => {
  it('looks up rows of the [numEmbeddings, dim] table for ids of any shape', async () => {
    const backend = createReferenceBackend();
    const source = createInMemoryWeightSource(backend, { 'embed.weight': { shape: [3, 2], values: [0, 1, 2, 3, 4, 5] } });
    const embed = await Embedding.load(backend, source, 'embed', { numEmbeddings: 3, dim: 2 });
    const ids = backend.tensor(new Int32Array([2, 0, 1, 1]), [2, 2]);
    const out = embed.forward(ids);
    expect([...out.shape]).toEqual([2, 2, 2]);
    expect([...(await out.data())]).toEqual([4, 5, 0, 1, 2, 3, 2, 3]);
    embed.dispose();
    expect(embed.weight.isDisposed).toBe(true);
  });
});
