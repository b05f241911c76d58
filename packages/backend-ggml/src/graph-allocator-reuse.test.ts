import type { Backend } from '@pio/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';

// Graph allocators are recycled between sync points. ggml keeps the memory plan of an allocator's previous graph and
// reuses it whenever the next graph has as many nodes and leaves and every tensor fits — regardless of its edges and
// outputs (first test). A recipe may also return an input's own tensor, which must keep that input alive (second).
describe('recycled graph allocators', () => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterEach(() => backend?.dispose());

  it('a graph recorded again with its intermediates held keeps them apart (same counts, other outputs)', async () => {
    const x = backend.tensor([1, 2, 3, 4], [4]);
    // Graph A: ((x + 1) + x) + x with only the result held: 3 nodes + 1 leaf, ggml computes it in place in one slot.
    const a = backend.scope(() => backend.add(backend.add(backend.add(x, 1), x), x));
    expect([...(await a.data())]).toEqual([4, 7, 10, 13]);
    a.dispose(); // frees graph A: its allocator goes back to the spares
    // Graph B: the same ops, but every node is held, so each needs its own memory.
    const b1 = backend.add(x, 1);
    const b2 = backend.add(b1, x);
    const b3 = backend.add(b2, x);
    expect([...(await b3.data())]).toEqual([4, 7, 10, 13]);
    expect([...(await b1.data())]).toEqual([2, 3, 4, 5]);
    expect([...(await b2.data())]).toEqual([3, 5, 7, 9]);
    for (const t of [x, b1, b2, b3]) t.dispose();
    expect(backend.memory().tensors).toBe(0);
  });

  it('a node whose recipe returns its input as is keeps that input alive after the input is disposed', async () => {
    const x0 = backend.tensor([1, 2, 3, 4], [4]);
    const x = backend.add(x0, 1);
    expect([...(await x.data())]).toEqual([2, 3, 4, 5]); // x now lives in its own graph's memory
    const same = backend.cast(x, 'float32'); // nothing to convert: ggml returns x's tensor
    const single = backend.concat([x], 0); // one part: x's tensor again
    expect([...(await same.data())]).toEqual([2, 3, 4, 5]);
    expect([...(await single.data())]).toEqual([2, 3, 4, 5]);
    x.dispose(); // nothing pending needs x any more
    for (let i = 0; i < 3; i++) {
      const z = backend.scope(() => backend.add(backend.mul(x0, 100), 7)); // recycles freed graph memory
      expect([...(await z.data())]).toEqual([107, 207, 307, 407]);
      z.dispose();
    }
    expect([...(await same.data())]).toEqual([2, 3, 4, 5]);
    expect([...(await single.data())]).toEqual([2, 3, 4, 5]);
    for (const t of [x0, same, single]) t.dispose();
    expect(backend.memory().tensors).toBe(0);
  });
});
