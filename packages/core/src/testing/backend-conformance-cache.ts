import { expect } from 'vitest';
import { KVCache } from '../nn/kv-cache.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';
import { build, randomNd, type Nd } from './backend-conformance-oracle.js';
import { attentionRef } from './backend-conformance-nn.js';

/** Concatenation of host arrays along `axis`. */
function concatNd(parts: readonly Nd[], axis: number): Nd {
  const shape = parts[0].shape.map((d, i) => (i === axis ? parts.reduce((n, p) => n + p.shape[axis], 0) : d));
  return build(shape, (idx) => {
    let j = idx[axis];
    for (const p of parts) {
      if (j < p.shape[axis]) {
        const local = [...idx];
        local[axis] = j;
        let flat = 0;
        for (let k = 0; k < local.length; k++) flat = flat * p.shape[k] + local[k];
        return p.data[flat];
      }
      j -= p.shape[axis];
    }
    throw new Error('unreachable');
  });
}

/** `KVCache` growth (in place or by concat) and the optional `createSequenceBuffer`. */
export function registerCacheTests(reg: ConformanceRegistry): void {
  reg.test('cache/kv-cache-grows', async ({ backend, rng, expectValues }) => {
    // a tiny initial capacity makes in-place caches move to larger buffers twice (2 -> 4 -> 8)
    const cache = new KVCache(backend, 2, { initialCapacity: 2, valueEntries: ['v'] });
    const steps = [2, 1, 1, 3, 1];
    const keys: Nd[] = [];
    const latents: Nd[] = [];
    for (const n of steps) {
      const k = randomNd(rng, [1, 2, n, 4]); // [batch, kvHeads, seq, headDim]
      const latent = randomNd(rng, [1, n, 5]); // [batch, seq, dim] (MLA-style, seq on axis 1)
      const query = randomNd(rng, [1, 4, 1, 4]); // [batch, heads, 1, headDim]: two query heads per KV head
      keys.push(k);
      latents.push(latent);
      const full = backend.scope(() => {
        const a = cache.update(0, { k: backend.tensor(Float32Array.from(k.data), k.shape), v: backend.tensor(Float32Array.from(k.data, (x) => -x), k.shape) });
        const b = cache.update(1, { latent: backend.tensor(Float32Array.from(latent.data), latent.shape) }, 1);
        const q = backend.tensor(Float32Array.from(query.data), query.shape);
        return { k: backend.mul(a.k, 1), v: backend.mul(a.v, 1), latent: backend.mul(b.latent, 1), attended: backend.attention(q, a.k, a.v, { scale: 0.5 }) };
      });
      const allKeys = concatNd(keys, 2);
      const allValues = { shape: allKeys.shape, data: allKeys.data.map((x) => -x) };
      await expectValues(full.attended, attentionRef(query, allKeys, allValues, 0.5), { label: 'attention over the cache' });
      await expectValues(full.k, allKeys, { label: `keys after ${keys.length} updates` });
      await expectValues(full.v, allValues, { label: 'values' });
      await expectValues(full.latent, concatNd(latents, 1), { label: 'latent' });
      for (const t of Object.values(full)) t.dispose();
    }
    expect(cache.length).toBe(steps.reduce((a, b) => a + b, 0));
    cache.dispose();
  });

  reg.test('cache/sequence-buffer', async ({ backend, rng, track, expectValues, expectBackendError }) => {
    if (!backend.createSequenceBuffer) {
      // optional: a backend without it must still grow caches (cache/kv-cache-grows)
      expect(backend.createSequenceBuffer).toBeUndefined();
      return;
    }
    const buffer = backend.createSequenceBuffer({ shape: [2, 3, 0, 4], axis: 2, capacity: 5 });
    expect([buffer.length, buffer.capacity, buffer.storage]).toEqual([0, 5, 'float32']);
    const a = randomNd(rng, [2, 3, 2, 4]);
    const b = randomNd(rng, [2, 3, 3, 4]);
    const first = track(buffer.append(track(backend.tensor(Float32Array.from(a.data), a.shape))));
    await expectValues(first, a, { exact: true, label: 'first append' });
    const second = track(buffer.append(track(backend.tensor(Float32Array.from(b.data), b.shape))));
    expect(buffer.length).toBe(5);
    await expectValues(second, concatNd([a, b], 2), { exact: true, label: 'both appends' });
    await expectValues(first, a, { exact: true, label: 'the first view after the second append' });
    expectBackendError('SequenceBuffer.append', () => buffer.append(track(backend.fill([2, 3, 1, 4], 0))));
    expectBackendError('SequenceBuffer.append', () => buffer.append(track(backend.fill([2, 2, 0, 4], 0))));
    buffer.dispose();
    await expectValues(second, concatNd([a, b], 2), { exact: true, label: 'a view after the buffer was disposed' });

    const valueBuffer = backend.createSequenceBuffer({ shape: [1, 2, 0, 3], axis: 2, capacity: 6, role: 'values' });
    const c = randomNd(rng, [1, 2, 4, 3]);
    const d = randomNd(rng, [1, 2, 1, 3]);
    const early = track(valueBuffer.append(track(backend.tensor(Float32Array.from(c.data), c.shape))));
    const late = track(valueBuffer.append(track(backend.tensor(Float32Array.from(d.data), d.shape))));
    await expectValues(late, concatNd([c, d], 2), { exact: true, label: 'values-role buffer' });
    await expectValues(early, c, { exact: true, label: 'values-role buffer, first view' });
    valueBuffer.dispose();

    const half = backend.createSequenceBuffer({ shape: [3, 0], axis: 1, capacity: 8, storage: 'float16' });
    const x = randomNd(rng, [3, 6]);
    const got = track(half.append(track(backend.tensor(Float32Array.from(x.data), x.shape))));
    const values = await got.data();
    for (let i = 0; i < values.length; i++) {
      // float16 keeps 11 significant bits: at most half a unit in the last place (2^-11 relative) for |x| >= 2^-14
      expect(Math.abs(values[i] - x.data[i])).toBeLessThanOrEqual(Math.abs(x.data[i]) * 2 ** -11 + 2 ** -25);
    }
    half.dispose();
  });
}
