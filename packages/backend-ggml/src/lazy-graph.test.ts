import type { Backend } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';

describe('lazy ggml graphs', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterAll(() => backend?.dispose());

  it('a computed transposed view reads the same values twice (the graph reading it is tiny)', async () => {
    // regression: ggml's allocator sized its hash set from the graph alone and aborted the process on the second read
    const x = backend.tensor(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [2, 3, 4],
    );
    const t = backend.scope(() => backend.transpose(backend.add(x, 1), [0, 2, 1]));
    const first = [...(await t.data())];
    expect(first.slice(0, 6)).toEqual([1, 5, 9, 2, 6, 10]);
    expect([...(await t.data())]).toEqual(first);
    x.dispose();
    t.dispose();
  });

  it('a reduced tensor feeds later ops with its own shape (sum over a middle axis, then add)', async () => {
    // x[i][j][k] = i * 100 + j * 10 + k; sum over j of 0..2 gives 3 * (i * 100 + k) + 30
    const x = backend.tensor(
      Float32Array.from({ length: 2 * 3 * 4 }, (_, n) => Math.floor(n / 12) * 100 + (Math.floor(n / 4) % 3) * 10 + (n % 4)),
      [2, 3, 4],
    );
    const out = backend.scope(() => backend.add(backend.sum(x, 1), backend.fill([2, 4], 1)));
    expect([...(await out.data())]).toEqual([31, 34, 37, 40, 331, 334, 337, 340]);
    x.dispose();
    out.dispose();
  });

  it('intermediates a scope disposed stay computable for a live consumer, across several sync points', async () => {
    const a = backend.tensor([1, 2, 3], [3]);
    const { b, c } = backend.scope(() => {
      const t = backend.mul(a, 2); // disposed by the scope, needed by b and c
      return { b: backend.add(t, 1), c: backend.sub(t, 1) };
    });
    expect([...(await b.data())]).toEqual([3, 5, 7]);
    const d = backend.mul(b, c); // b is computed now: d's graph reads it as a leaf
    expect([...(await d.data())]).toEqual([3, 15, 35]);
    expect([...(await c.data())]).toEqual([1, 3, 5]);
    for (const t of [a, b, c, d]) t.dispose();
  });

  it('a chain of concats (a growing cache) reads back exactly after each step', async () => {
    let cache = backend.tensor([0], [1, 1]);
    for (let step = 1; step <= 5; step++) {
      const value = backend.fill([1, 1], step);
      const next = backend.concat([cache, value], 1);
      cache.dispose();
      value.dispose();
      cache = next;
      expect([...(await cache.data())]).toEqual(Array.from({ length: step + 1 }, (_, i) => i));
    }
    cache.dispose();
    expect(backend.memory().tensors).toBe(0);
  });
});
