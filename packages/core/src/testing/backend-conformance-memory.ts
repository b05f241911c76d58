import { expect } from 'vitest';
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';

/** Scope/keep semantics, dispose, memory accounting. */
export function registerMemoryTests(reg: ConformanceRegistry): void {
  reg.test('memory/scope-frees-unreturned', ({ backend }) => {
    const before = backend.memory().tensors;
    const inner: Tensor[] = [];
    const out = backend.scope(() => {
      const a = backend.fill([2, 3], 1);
      const b = backend.add(a, 2);
      inner.push(a, b);
      return backend.mul(b, 3);
    });
    expect(inner.every((t) => t.isDisposed)).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(backend.memory().tensors).toBe(before + 1);
    out.dispose();
    expect(backend.memory().tensors).toBe(before);
  });

  reg.test('memory/scope-returns-array-and-record', async ({ backend, track }) => {
    const [x, y] = backend.scope(() => [backend.fill([2], 1), backend.fill([3], 2)]).map(track);
    const rec = backend.scope(() => ({ p: backend.add(backend.fill([1], 5), 1), q: backend.fill([1], 7) }));
    track(rec.p);
    track(rec.q);
    expect([...(await x.data())]).toEqual([1, 1]);
    expect([...(await y.data())]).toEqual([2, 2, 2]);
    expect([...(await rec.p.data())]).toEqual([6]);
    expect([...(await rec.q.data())]).toEqual([7]);
  });

  reg.test('memory/nested-scopes', ({ backend }) => {
    const before = backend.memory().tensors;
    let fromInner: Tensor | undefined;
    let innerTemp: Tensor | undefined;
    const outerResult = backend.scope(() => {
      fromInner = backend.scope(() => {
        innerTemp = backend.fill([4], 1);
        return backend.add(innerTemp, 1);
      });
      expect(innerTemp?.isDisposed).toBe(true);
      expect(fromInner.isDisposed).toBe(false); // survives the inner scope into the outer one
      return backend.mul(fromInner, 2);
    });
    expect(fromInner?.isDisposed).toBe(true); // not returned by the outer scope
    expect(outerResult.isDisposed).toBe(false);
    expect(backend.memory().tensors).toBe(before + 1);
    outerResult.dispose();
  });

  reg.test('memory/keep-survives-all-scopes', async ({ backend }) => {
    const before = backend.memory().tensors;
    let kept: Tensor | undefined;
    backend.scope(() => {
      backend.scope(() => {
        kept = backend.keep(backend.fill([2], 3));
        backend.fill([2], 4);
      });
    });
    expect(kept?.isDisposed).toBe(false);
    expect(backend.memory().tensors).toBe(before + 1);
    expect([...(await kept!.data())]).toEqual([3, 3]);
    kept!.dispose();
    expect(backend.memory().tensors).toBe(before);
  });

  reg.test('memory/scope-keeps-outer-inputs', ({ backend, track }) => {
    const input = track(backend.fill([3], 1));
    const same = backend.scope(() => {
      backend.add(input, 1);
      return input;
    });
    expect(same).toBe(input);
    expect(input.isDisposed).toBe(false);
  });

  reg.test('memory/scope-non-tensor-result', ({ backend }) => {
    const before = backend.memory().tensors;
    const n = backend.scope(() => {
      backend.fill([5], 1);
      return 42;
    });
    expect(n).toBe(42);
    expect(backend.memory().tensors).toBe(before);
  });

  reg.test('memory/scope-throws-frees-and-rethrows', ({ backend }) => {
    const before = backend.memory().tensors;
    let temp: Tensor | undefined;
    expect(() =>
      backend.scope(() => {
        temp = backend.fill([2], 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(temp?.isDisposed).toBe(true);
    expect(backend.memory().tensors).toBe(before);
  });

  reg.test('memory/dispose-twice-is-safe', ({ backend }) => {
    const before = backend.memory().tensors;
    const t = backend.fill([3], 1);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(backend.memory().tensors).toBe(before);
  });

  reg.test('memory/disposed-tensor-use-throws', async ({ backend }) => {
    const t = backend.fill([3], 1);
    t.dispose();
    expect(() => backend.add(t, 1)).toThrow();
    await expect(t.data()).rejects.toThrow();
  });

  reg.test('memory/bytes-accounting', ({ backend }) => {
    const before = backend.memory();
    const t = backend.fill([10, 10], 1);
    const during = backend.memory();
    expect(during.tensors).toBe(before.tensors + 1);
    expect(during.bytes - before.bytes).toBeGreaterThanOrEqual(400);
    t.dispose();
    expect(backend.memory()).toEqual(before);
  });

  reg.test('memory/ops-in-scope-leak-nothing', ({ backend, track }) => {
    const x = track(
      backend.tensor(
        Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1),
        [2, 3, 4],
      ),
    );
    const w = track(
      backend.tensor(
        Float32Array.from({ length: 20 }, (_, i) => i / 9),
        [5, 4],
      ),
    );
    const before = backend.memory();
    backend.scope(() => {
      const h = backend.linear(x, w);
      const n = backend.rmsNorm(h, backend.fill([5], 1), 1e-6);
      const s = backend.softmax(backend.transpose(n, [2, 0, 1]), 0);
      const { values, indices } = backend.topk(s, 2);
      backend.gather(backend.add(s, values.shape[2]), indices, 2);
      backend.concat([backend.slice(s, [0, 0, 0], [2, -1, -1]), s], 0);
      backend.cumsum(backend.sum(s, -1, true), 1);
      backend.where(backend.cast(backend.argMax(s, 0), 'int32'), backend.exp(s), backend.neg(s));
    });
    expect(backend.memory()).toEqual(before);
  });
}

/** `Backend.dispose()`: run last, on a fresh backend. */
export function registerBackendDisposeTest(reg: ConformanceRegistry, createBackend: () => Backend | Promise<Backend>): void {
  reg.test('memory/backend-dispose-frees-everything', async () => {
    const fresh = await createBackend();
    const a = fresh.fill([4], 1);
    const b = fresh.add(a, 1);
    expect(fresh.memory().tensors).toBeGreaterThanOrEqual(2);
    fresh.dispose();
    expect(a.isDisposed && b.isDisposed).toBe(true);
  });
}
