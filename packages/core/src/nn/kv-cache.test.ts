import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { KVCache } from './kv-cache.js';

describe('KVCache', () => {
  it('appends along the sequence axis and returns the full tensors', async () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 2);
    expect(cache.length).toBe(0);
    // [batch 1, heads 1, seq 2, dim 2]
    const first = cache.update(0, { k: backend.tensor([1, 2, 3, 4], [1, 1, 2, 2]), v: backend.tensor([5, 6, 7, 8], [1, 1, 2, 2]) });
    expect(cache.length).toBe(2);
    expect([...first.k.shape]).toEqual([1, 1, 2, 2]);
    const second = cache.update(0, { k: backend.tensor([9, 10], [1, 1, 1, 2]), v: backend.tensor([11, 12], [1, 1, 1, 2]) });
    expect(cache.length).toBe(3);
    expect([...second.k.shape]).toEqual([1, 1, 3, 2]);
    expect([...(await second.k.data())]).toEqual([1, 2, 3, 4, 9, 10]);
    expect([...(await second.v.data())]).toEqual([5, 6, 7, 8, 11, 12]);
    expect(cache.get(0, 'k')).toBe(second.k);
    expect(cache.get(1, 'k')).toBeUndefined();
    expect(first.k.isDisposed).toBe(true); // the previous full tensor is replaced, not leaked
  });

  it('reads length on the axis each entry was appended along', () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 1);
    cache.update(0, { latent: backend.fill([2, 4, 3], 0) }, 1); // [batch, seq, dim]
    expect(cache.length).toBe(4);
    cache.update(0, { latent: backend.fill([2, 1, 3], 1) }, 1);
    expect(cache.length).toBe(5);
  });

  it('keeps cached tensors across scopes without leaking the replaced ones', () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 2);
    const baseline = backend.memory().tensors;
    for (let step = 0; step < 4; step++) {
      backend.scope(() => {
        for (let layer = 0; layer < 2; layer++) {
          const k = backend.mul(backend.fill([1, 2, 1, 4], step), 2); // intermediates die with the scope
          cache.update(layer, { k, v: backend.add(k, 1) });
        }
      });
    }
    expect(cache.length).toBe(4);
    expect(cache.get(1, 'v')?.isDisposed).toBe(false);
    expect(backend.memory().tensors).toBe(baseline + 4); // 2 layers x (k, v)
  });

  it('frees every cached tensor on dispose', () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 3);
    for (let layer = 0; layer < 3; layer++) cache.update(layer, { k: backend.fill([1, 1, 2, 2], layer) });
    const held = [0, 1, 2].map((layer) => cache.get(layer, 'k')!);
    cache.dispose();
    expect(held.every((t) => t.isDisposed)).toBe(true);
    expect(backend.memory().tensors).toBe(0);
    expect(cache.length).toBe(0);
  });

  it('rejects a layer it does not have', () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 1);
    expect(() => cache.update(1, { k: backend.fill([1, 1, 1, 1], 0) })).toThrow(/layer 1 does not exist/);
  });
});
