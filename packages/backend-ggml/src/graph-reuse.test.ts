import type { Tensor } from '@pio/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';
import type { GgmlBackend } from './ggml-backend.js';

// A graph computed before is rerun when the next computation has the same structure (see graph/graph-cache.ts): the
// first computation of a structure builds it, the second builds it again and keeps it, later ones rerun it with their
// own input values. These tests pin what must hold for that to be invisible.
describe('graph reuse', () => {
  let backend: GgmlBackend;
  beforeEach(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterEach(() => backend?.dispose());

  /** `(x * 2 + 1)` summed over the last axis, for host values `values` `[2, 3]`. */
  const step = (values: number[]): Tensor => backend.scope(() => backend.sum(backend.add(backend.mul(backend.tensor(values, [2, 3]), 2), 1), -1));
  const expected = (values: number[]): number[] => [0, 1].map((r) => values.slice(3 * r, 3 * r + 3).reduce((s, v) => s + 2 * v + 1, 0));

  it("reruns the graph with each computation's own inputs", async () => {
    for (let i = 0; i < 6; i++) {
      const values = [1, 2, 3, 4, 5, 6].map((v) => v * (i + 1) - i);
      const y = step(values);
      expect([...(await y.data())]).toEqual(expected(values));
      y.dispose();
    }
    expect(backend.graphStats()).toEqual({ built: 2, reused: 4, replayed: 0 });
    expect(backend.memory().tensors).toBe(0);
  });

  it('never reruns a graph whose last results are still held: they keep their values', async () => {
    const held: Tensor[] = [];
    for (let i = 0; i < 5; i++) {
      const y = step([i, i, i, 1, 2, 3]);
      await y.data();
      held.push(y); // all kept: each computation needs memory of its own
    }
    for (const [i, y] of held.entries()) expect([...(await y.data())]).toEqual(expected([i, i, i, 1, 2, 3]));
    expect(backend.graphStats().reused).toBe(0);
    for (const y of held) y.dispose();
    // once released, the kept graph is free again
    const z = step([9, 9, 9, 9, 9, 9]);
    expect([...(await z.data())]).toEqual(expected([9, 9, 9, 9, 9, 9]));
    z.dispose();
    expect(backend.graphStats().reused).toBe(1);
  });

  it('results of a rerun graph feed later graphs (its outputs become leaves after every run)', async () => {
    for (let i = 0; i < 5; i++) {
      const x = backend.tensor([i, 1, 2, 3], [2, 2]);
      const y = backend.mul(x, 3); // computed alone, then read by a second graph
      await y.data();
      const z = backend.scope(() => backend.add(y, backend.transpose(y, [1, 0])));
      expect([...(await z.data())]).toEqual([6 * i, 9, 9, 18]); // 3x + (3x)ᵀ
      for (const t of [x, y, z]) t.dispose();
    }
    expect(backend.graphStats().reused).toBe(3); // y's graph from the third round; z's reads a new y each time
    expect(backend.memory().tensors).toBe(0);
  });

  it('a different scalar, axis or permutation is a different graph', async () => {
    const values = [1, 2, 3, 4, 5, 6];
    for (const scale of [2, 3, 4, 5]) {
      const y = backend.scope(() => backend.mul(backend.tensor(values, [2, 3]), scale));
      expect([...(await y.data())]).toEqual(values.map((v) => v * scale));
      y.dispose();
    }
    for (const axis of [0, 1, 0, 1]) {
      const y = backend.scope(() => backend.sum(backend.tensor(values, [2, 3]), axis));
      expect([...(await y.data())]).toEqual(axis === 0 ? [5, 7, 9] : [6, 15]);
      y.dispose();
    }
    expect(backend.graphStats().reused).toBe(0);
  });

  it('with reuseGraphs false every graph is built', async () => {
    const fresh = await createGgmlBackend({ device: 'cpu', threads: 1, reuseGraphs: false });
    for (let i = 0; i < 4; i++) {
      const y = fresh.scope(() => fresh.mul(fresh.tensor([i, 1], [2]), 2));
      expect([...(await y.data())]).toEqual([2 * i, 2]);
      y.dispose();
    }
    expect(fresh.graphStats()).toEqual({ built: 4, reused: 0, replayed: 0 });
    fresh.dispose();
  });
});
