import { expect } from 'vitest';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import { buildAttentionMask } from '../nn/attention-mask.js';
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

/** Random multiples of 1/8 in [-4, 4]: exact in float16 as in float32, so every storage compares exactly. */
function eighthsNd(rng: () => number, shape: readonly number[]): Nd {
  return build(shape, () => Math.round(rng() * 64 - 32) / 8);
}

/** Zeros of `shape`. */
function zerosNd(shape: readonly number[]): Nd {
  return build(shape, () => 0);
}

/** `KVCache` growth (in place or by concat), its padding, and the optional `createSequenceBuffer`. */
export function registerCacheTests(reg: ConformanceRegistry): void {
  reg.test('cache/kv-cache-grows', async ({ backend, rng, expectValues }) => {
    // a tiny initial capacity makes in-place caches move to larger buffers twice (2 -> 4 -> 8)
    const cache = new KVCache(backend, 2, { initialCapacity: 2, valueEntries: ['v'], padding: 1 }); // exact lengths (padding: cache/kv-cache-padding)
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
        const a = cache.update(0, {
          k: backend.tensor(Float32Array.from(k.data), k.shape),
          v: backend.tensor(
            Float32Array.from(k.data, (x) => -x),
            k.shape,
          ),
        });
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

  reg.test('cache/sequence-buffer-view-length', async ({ backend, rng, track, expectValues, expectBackendError }) => {
    if (!backend.createSequenceBuffer) {
      expect(backend.createSequenceBuffer).toBeUndefined();
      return;
    }
    const roles = ['keys', 'values'] as const;
    const storages: SequenceBufferStorage[] = ['float32', 'float16'];
    for (const role of roles) {
      for (const storage of storages) {
        const label = `${role}, ${storage}`;
        const buffer = backend.createSequenceBuffer({ shape: [2, 3, 0, 4], axis: 2, capacity: 8, storage, role });
        const a = eighthsNd(rng, [2, 3, 2, 4]);
        const b = eighthsNd(rng, [2, 3, 3, 4]);
        const c = eighthsNd(rng, [2, 3, 1, 4]);
        const first = track(buffer.append(track(backend.tensor(Float32Array.from(a.data), a.shape)), { viewLength: 4 }));
        expect(buffer.length, label).toBe(2);
        // a new buffer's unwritten positions read exactly 0
        await expectValues(first, concatNd([a, zerosNd([2, 3, 2, 4])], 2), { exact: true, label: `${label}: first append padded to 4` });
        const second = track(buffer.append(track(backend.tensor(Float32Array.from(b.data), b.shape)), { viewLength: 8 }));
        expect(buffer.length, label).toBe(5);
        await expectValues(second, concatNd([a, b, zerosNd([2, 3, 3, 4])], 2), { exact: true, label: `${label}: second append padded to the capacity` });
        // a view exactly as long as the filled part, then the default view
        const third = track(buffer.append(track(backend.tensor(Float32Array.from(c.data), c.shape)), { viewLength: 6 }));
        await expectValues(third, concatNd([a, b, c], 2), { exact: true, label: `${label}: viewLength equal to the filled length` });
        const rest = eighthsNd(rng, [2, 3, 1, 4]);
        const fourth = track(buffer.append(track(backend.tensor(Float32Array.from(rest.data), rest.shape))));
        await expectValues(fourth, concatNd([a, b, c, rest], 2), { exact: true, label: `${label}: default view after padded ones` });
        buffer.dispose();
      }
    }

    const small = backend.createSequenceBuffer({ shape: [1, 2, 0, 3], axis: 2, capacity: 4 });
    track(small.append(track(backend.fill([1, 2, 2, 3], 1))));
    // shorter than the filled length after the append, longer than the capacity, not an integer
    expectBackendError('SequenceBuffer.append', () => small.append(track(backend.fill([1, 2, 1, 3], 1)), { viewLength: 2 }));
    expectBackendError('SequenceBuffer.append', () => small.append(track(backend.fill([1, 2, 1, 3], 1)), { viewLength: 5 }));
    expectBackendError('SequenceBuffer.append', () => small.append(track(backend.fill([1, 2, 1, 3], 1)), { viewLength: 3.5 }));
    small.dispose();
  });

  reg.test('cache/sequence-buffer-slot', async ({ backend, rng, track, expectValues, expectBackendError }) => {
    if (!backend.createSequenceBuffer) {
      expect(backend.createSequenceBuffer).toBeUndefined();
      return;
    }
    for (const role of ['keys', 'values'] as const) {
      const buffer = backend.createSequenceBuffer({ shape: [1, 2, 0, 3], axis: 2, capacity: 6, role });
      const a = eighthsNd(rng, [1, 2, 2, 3]);
      const b = eighthsNd(rng, [1, 2, 1, 3]);
      const c = eighthsNd(rng, [1, 2, 1, 3]);
      track(buffer.append(track(backend.tensor(Float32Array.from(a.data), a.shape))));
      // one position written where the slot says (the buffer's length)
      const slot = track(backend.tensor([2], [1], 'int32'));
      const second = track(buffer.append(track(backend.tensor(Float32Array.from(b.data), b.shape)), { slot }));
      await expectValues(second, concatNd([a, b], 2), { exact: true, label: `${role}: an append at its slot` });
      // a position counted as written by a replay (here: never written, so it reads zero), then one after it
      buffer.advance(1);
      expect(buffer.length, role).toBe(4);
      const later = track(backend.tensor([4], [1], 'int32'));
      const third = track(buffer.append(track(backend.tensor(Float32Array.from(c.data), c.shape)), { slot: later, viewLength: 6 }));
      expect(buffer.length, role).toBe(5);
      await expectValues(third, concatNd([a, b, zerosNd([1, 2, 1, 3]), c, zerosNd([1, 2, 1, 3])], 2), { exact: true, label: `${role}: after advance` });
      expectBackendError('SequenceBuffer.append', () => buffer.append(track(backend.fill([1, 2, 1, 3], 1)), { slot: track(backend.fill([1], 5)) }));
      expectBackendError('SequenceBuffer.advance', () => buffer.advance(2));
      expectBackendError('SequenceBuffer.advance', () => buffer.advance(-1));
      // a rejected step: its position counted as not written, then written over by the next append at the same slot
      buffer.rewind(1);
      expect(buffer.length, role).toBe(4);
      const again = track(buffer.append(track(backend.tensor(Float32Array.from(b.data), b.shape)), { slot: later, viewLength: 6 }));
      expect(buffer.length, role).toBe(5);
      await expectValues(again, concatNd([a, b, zerosNd([1, 2, 1, 3]), b, zerosNd([1, 2, 1, 3])], 2), { exact: true, label: `${role}: after rewind` });
      expectBackendError('SequenceBuffer.rewind', () => buffer.rewind(6));
      expectBackendError('SequenceBuffer.rewind', () => buffer.rewind(-1));
      expectBackendError('SequenceBuffer.rewind', () => buffer.rewind(0.5));
      buffer.dispose();
      expectBackendError('SequenceBuffer.advance', () => buffer.advance(1));
      expectBackendError('SequenceBuffer.rewind', () => buffer.rewind(1));
    }
  });

  reg.test('cache/kv-cache-padding', async ({ backend, rng, expectValues }) => {
    // padding 8 with a capacity of 8 at first: the cache moves to a larger buffer once, copying only real positions
    const cache = new KVCache(backend, 1, { padding: 8, initialCapacity: 8, valueEntries: ['v'] });
    const padded = !!backend.createSequenceBuffer;
    const steps = [3, 1, 1, 5, 1, 4];
    // row 1 has a masked position that is not at the start, so no query row is fully masked (a fully masked row
    // spreads its softmax over every key, padded or not, and would differ by design)
    const rows = [
      [1, 1, 1],
      [1, 0, 1],
    ];
    const keys: Nd[] = [];
    const values: Nd[] = [];
    let total = 0;
    for (const [index, n] of steps.entries()) {
      if (index > 0) for (const row of rows) row.push(...new Array<number>(n).fill(1));
      const keyLength = cache.keyLength(n);
      total += n;
      // padded for one new position (a decode step); a prompt's several positions are exact
      expect(keyLength, `keyLength after ${total} positions`).toBe(padded && n === 1 ? Math.ceil(total / 8) * 8 : total);
      const k = randomNd(rng, [2, 2, n, 4]); // [batch, kvHeads, seq, headDim]
      const v = randomNd(rng, [2, 2, n, 4]);
      const query = randomNd(rng, [2, 4, n, 4]); // two query heads per KV head
      keys.push(k);
      values.push(v);
      const [viaCache, exact] = backend.scope(() => {
        const a = cache.update(0, { k: backend.tensor(Float32Array.from(k.data), k.shape), v: backend.tensor(Float32Array.from(v.data), v.shape) });
        expect([...a.k.shape], 'padded keys').toEqual([2, 2, keyLength, 4]);
        expect([...a.v.shape], 'padded values').toEqual([2, 2, keyLength, 4]);
        const q = backend.tensor(Float32Array.from(query.data), query.shape);
        const mask = buildAttentionMask(backend, rows, n, { keyLength });
        const allKeys = backend.concat(
          keys.map((x) => backend.tensor(Float32Array.from(x.data), x.shape)),
          2,
        );
        const allValues = backend.concat(
          values.map((x) => backend.tensor(Float32Array.from(x.data), x.shape)),
          2,
        );
        return [
          backend.attention(q, a.k, a.v, { scale: 0.5, mask }),
          backend.attention(q, allKeys, allValues, { scale: 0.5, mask: buildAttentionMask(backend, rows, n) }),
        ];
      });
      const reference: Nd = { shape: [...exact.shape], data: Float64Array.from(await exact.data()) };
      await expectValues(viaCache, reference, { label: `attention over the padded cache after ${total} positions` });
      viaCache.dispose();
      exact.dispose();
    }
    expect(cache.length).toBe(total);
    cache.dispose();
  });
}
