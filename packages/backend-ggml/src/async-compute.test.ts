import { BackendError, type Tensor } from '@pio/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';
import type { GgmlBackend } from './ggml-backend.js';

// Graph computations run on a worker thread: `data()` returns at once and the event loop goes on. These tests use a
// computation long enough to be still running when the test acts (six 512 x 512 matrix products on one thread, over
// a billion operations): `x` holds 1/512 everywhere, so every product of it with itself is `x` again, exactly.
const N = 512;
const SIDE = 1 / N;

/** `x` multiplied by itself `times` times (all 1/512). */
function chain(backend: GgmlBackend, x: Tensor, times = 6): Tensor {
  return backend.scope(() => {
    let y = x;
    for (let i = 0; i < times; i++) y = backend.matmul(y, x);
    return y;
  });
}

/** Resolves after the event loop's next check phase. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether `promise` settled. */
function track<T>(promise: Promise<T>): { settled: () => boolean } {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done };
}

function expectAll(values: Float32Array | Int32Array, value: number): void {
  expect(values.length).toBe(N * N);
  expect(values.every((v) => v === value)).toBe(true);
}

describe('graph computations off the event loop', () => {
  let backend: GgmlBackend;
  let x: Tensor;
  beforeEach(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
    x = backend.fill([N, N], SIDE);
  });
  afterEach(() => backend.dispose());

  it('data() leaves the event loop running while the graph computes', async () => {
    const y = chain(backend, x);
    const read = y.data();
    const { settled } = track(read);
    let turns = 0;
    while (!settled()) {
      await turn();
      turns++;
    }
    expect(turns).toBeGreaterThan(1);
    expectAll(await read, SIDE);
    y.dispose();
  });

  it('tensors disposed while their graph computes are freed once it settles; the read still gets its values', async () => {
    const y = chain(backend, x);
    const read = y.data();
    const reading = track(read);
    await turn();
    expect(reading.settled()).toBe(false);
    y.dispose();
    x.dispose();
    expect(backend.memory()).toEqual({ tensors: 0, bytes: 0 });
    expectAll(await read, SIDE);
    expect(backend.memory()).toEqual({ tensors: 0, bytes: 0 });
  });

  it('reads queue in the order asked for, nodes recorded meanwhile on the graph in flight included', async () => {
    const y = chain(backend, x);
    const order: string[] = [];
    const first = y.data().then((v) => (order.push('y'), v));
    const reading = track(first);
    await turn();
    expect(reading.settled()).toBe(false);
    const z = backend.add(y, 1); // y is still being computed
    const small = backend.tensor([1, 2, 3], [3]);
    const second = z.data().then((v) => (order.push('z'), v));
    const third = small.data().then((v) => (order.push('small'), v));
    const [yv, zv, sv] = await Promise.all([first, second, third]);
    expect(order).toEqual(['y', 'z', 'small']);
    expectAll(yv, SIDE);
    expectAll(zv, 1 + SIDE);
    expect([...sv]).toEqual([1, 2, 3]);
    for (const t of [y, z, small]) t.dispose();
  });

  it('weights uploaded and sequence buffers written during a computation are used by the next one', async () => {
    const y = chain(backend, x);
    const read = y.data();
    const reading = track(read);
    await turn();
    const w = backend.weight({ dtype: 'F32', shape: [2, 3], bytes: new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer) });
    const buffer = backend.createSequenceBuffer({ shape: [1, 0, 3], axis: 1, capacity: 4 });
    const input = backend.tensor([1, 1, 1], [1, 1, 3]);
    const view = buffer.append(input);
    const out = backend.scope(() => backend.linear(backend.reshape(view, [1, 3]), w)); // [1, 2]
    expect(reading.settled()).toBe(false);
    expect([...(await out.data())]).toEqual([6, 15]);
    expectAll(await read, SIDE);
    for (const t of [y, w, input, view, out]) t.dispose();
    buffer.dispose();
  });

  it('gives koffi async calls (where graphs compute) the native stack of synchronous calls', async () => {
    const koffi = ((await import('koffi')) as unknown as { default: { config(): Record<string, number> } }).default;
    const config = koffi.config();
    expect(config.async_stack_size).toBeGreaterThanOrEqual(config.sync_stack_size);
  });

  it('dispose() during a computation frees the backend once it settles; that read and every later call reject', async () => {
    const y = chain(backend, x);
    const other = backend.tensor([1, 2], [2]);
    const read = y.data();
    const queued = other.data();
    const reading = track(read);
    await turn();
    expect(reading.settled()).toBe(false);
    backend.dispose();
    await expect(read).rejects.toSatisfy((e) => BackendError.isInstance(e));
    await expect(queued).rejects.toSatisfy((e) => BackendError.isInstance(e));
    await expect(other.data()).rejects.toSatisfy((e) => BackendError.isInstance(e));
    expect(() => backend.add(other, 1)).toThrow(/disposed/);
    // every tensor of a disposed backend counts as disposed, and disposing it then is a no-op
    expect(other.isDisposed).toBe(true);
    expect(y.isDisposed).toBe(true);
    other.dispose();
    expect(backend.memory()).toEqual({ tensors: 0, bytes: 0 });
    backend.dispose(); // twice is fine
  });
});

describe("computeThread: 'main' (for comparison only)", () => {
  it('computes on the calling thread: the read settles before the loop turns, with the same values', async () => {
    const backend = await createGgmlBackend({ device: 'cpu', threads: 1, computeThread: 'main' });
    try {
      const x = backend.fill([N, N], SIDE);
      const y = chain(backend, x, 2);
      const read = y.data();
      const { settled } = track(read);
      await turn();
      expect(settled()).toBe(true);
      expectAll(await read, SIDE);
      y.dispose();
      x.dispose();
    } finally {
      backend.dispose();
    }
  });
});
