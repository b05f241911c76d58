import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import type { SequenceBuffer, SequenceBufferOptions } from '../backend/sequence-buffer.js';
import type { SequenceBufferAppendOptions } from '../backend/sequence-buffer-append-options.js';
import type { Tensor } from '../backend/tensor.js';
import { BackendError } from '../errors/backend-error.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { MASK_VALUE } from './attention-mask.js';
import { KVCache } from './kv-cache.js';

/** What the fake sequence buffers were asked for. */
interface BufferLog {
  capacities: number[];
  viewLengths: Array<number | undefined>;
  roles?: Array<string | undefined>;
}

/**
 * The reference backend plus a `createSequenceBuffer` that follows the spec by concatenation (not in place): enough
 * to drive `KVCache`'s in-place path and check what it asks of the buffers.
 */
function withFakeSequenceBuffers(log: BufferLog): Backend {
  const ref = createReferenceBackend();
  const createSequenceBuffer = (options: SequenceBufferOptions): SequenceBuffer => {
    const axis = options.axis;
    const capacity = options.capacity;
    log.capacities.push(capacity);
    log.roles?.push(options.role);
    let filled: Tensor | undefined;
    let length = 0;
    return {
      get length() {
        return length;
      },
      capacity,
      storage: options.storage ?? 'float32',
      append(values: Tensor, appendOptions?: SequenceBufferAppendOptions): Tensor {
        log.viewLengths.push(appendOptions?.viewLength);
        const after = length + values.shape[axis];
        const viewLength = appendOptions?.viewLength ?? after;
        if (after > capacity || !Number.isInteger(viewLength) || viewLength < after || viewLength > capacity)
          throw new BackendError('SequenceBuffer.append', `out of range: ${after}, ${viewLength}, ${capacity}`);
        const next = ref.scope(() => (filled ? ref.concat([filled, values], axis) : ref.mul(values, 1)));
        ref.keep(next);
        filled?.dispose();
        filled = next;
        length = after;
        if (viewLength === after) return ref.mul(next, 1);
        return ref.scope(() =>
          ref.concat(
            [
              next,
              ref.fill(
                next.shape.map((d, i) => (i === axis ? viewLength - after : d)),
                0,
              ),
            ],
            axis,
          ),
        );
      },
      advance() {
        throw new BackendError('SequenceBuffer.advance', 'this fake buffer appends by concatenation and cannot count replayed positions');
      },
      rewind(positions: number) {
        if (!filled || positions > length) throw new BackendError('SequenceBuffer.rewind', `cannot rewind ${positions} of ${length}`);
        const size = filled.shape.map((d, i) => (i === axis ? length - positions : d));
        const kept = ref.keep(
          ref.slice(
            filled,
            size.map(() => 0),
            size,
          ),
        );
        filled.dispose();
        filled = kept;
        length -= positions;
      },
      dispose() {
        filled?.dispose();
        filled = undefined;
      },
    };
  };
  return { ...ref, createSequenceBuffer };
}

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

  it('pads one-position updates to a multiple of padding on backends with sequence buffers (several positions: exact)', async () => {
    const log: BufferLog = { capacities: [], viewLengths: [] };
    const backend = withFakeSequenceBuffers(log);
    const cache = new KVCache(backend, 1, { padding: 3, initialCapacity: 2, valueEntries: ['v'] });
    expect(cache.keyLength(2)).toBe(2);
    // [batch 1, heads 1, seq 2, dim 1]: a prompt of 2 positions, exact
    const first = cache.update(0, { k: backend.tensor([1, 2], [1, 1, 2, 1]), v: backend.tensor([-1, -2], [1, 1, 2, 1]) });
    expect(cache.length).toBe(2);
    expect([...first.k.shape]).toEqual([1, 1, 2, 1]);
    expect([...(await first.k.data())]).toEqual([1, 2]);
    expect([...(await first.v.data())]).toEqual([-1, -2]);
    expect(cache.keyLength(1)).toBe(3);
    const second = cache.update(0, { k: backend.tensor([3], [1, 1, 1, 1]), v: backend.tensor([-3], [1, 1, 1, 1]) });
    expect(cache.length).toBe(3);
    expect([...(await second.k.data())]).toEqual([1, 2, 3]);
    expect(cache.keyLength(1)).toBe(6);
    const third = cache.update(0, { k: backend.tensor([4], [1, 1, 1, 1]), v: backend.tensor([-4], [1, 1, 1, 1]) });
    expect(cache.length).toBe(4);
    expect([...(await third.k.data())]).toEqual([1, 2, 3, 4, 0, 0]);
    expect([...(await third.v.data())]).toEqual([-1, -2, -3, -4, 0, 0]);
    // 4 more positions (exact: 8) need more than the capacity 6: the new buffer gets the 4 real positions, not the padded 6
    expect(cache.keyLength(4)).toBe(8);
    const fourth = cache.update(0, { k: backend.tensor([5, 6, 7, 8], [1, 1, 4, 1]), v: backend.tensor([-5, -6, -7, -8], [1, 1, 4, 1]) });
    expect(cache.length).toBe(8);
    expect([...(await fourth.k.data())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...(await fourth.v.data())]).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
    // first capacity: 2 (the prompt) rounded to the step 2, then to a multiple of 3 -> 3; the padded 6 needs 6
    // (2 x 3); 8 positions need 12 (2 x 6)
    expect(log.capacities).toEqual([3, 3, 6, 6, 12, 12]);
    for (const c of log.capacities) expect(c % 3).toBe(0);
    // k and v of each update get one length; the copies into the grown buffers are unpadded
    expect(log.viewLengths).toEqual([2, 2, 3, 3, undefined, 6, undefined, 6, undefined, 8, undefined, 8]);
    expect(cache.get(0, 'k')).toBe(fourth.k);
    cache.dispose();
    expect(fourth.k.isDisposed).toBe(true);
    expect(backend.memory().tensors).toBe(8); // only the test's 8 inputs: no buffer, view or copy leaked
  });

  it('pads along any sequence axis and keeps length real', async () => {
    const backend = withFakeSequenceBuffers({ capacities: [], viewLengths: [] });
    const cache = new KVCache(backend, 2, { padding: 4 });
    for (let layer = 0; layer < 2; layer++) cache.update(layer, { latent: backend.tensor([1, 2, 3, 4, 5, 6], [1, 3, 2]) }, 1); // [batch, seq, dim]
    expect(cache.length).toBe(3);
    expect(cache.keyLength(1)).toBe(4);
    expect(cache.keyLength(2)).toBe(5); // several positions: exact
    const out = cache.update(0, { latent: backend.tensor([7, 8], [1, 1, 2]) }, 1);
    expect([...out.latent.shape]).toEqual([1, 4, 2]);
    expect([...(await out.latent.data())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cache.length).toBe(4);
    expect(cache.keyLength(1)).toBe(8);
    cache.dispose();
  });

  it('ignores padding without sequence buffers', async () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 1, { padding: 256 });
    expect(cache.keyLength(2)).toBe(2);
    const first = cache.update(0, { k: backend.tensor([1, 2], [1, 1, 2, 1]) });
    expect([...first.k.shape]).toEqual([1, 1, 2, 1]);
    expect(cache.keyLength(1)).toBe(3);
    const second = cache.update(0, { k: backend.tensor([3], [1, 1, 1, 1]) });
    expect([...(await second.k.data())]).toEqual([1, 2, 3]);
    expect(cache.length).toBe(3);
  });

  it('returns exact lengths with sequence buffers and no padding', async () => {
    const log: BufferLog = { capacities: [], viewLengths: [] };
    const backend = withFakeSequenceBuffers(log);
    const cache = new KVCache(backend, 1);
    expect(cache.keyLength(3)).toBe(3);
    const out = cache.update(0, { k: backend.tensor([1, 2, 3], [1, 1, 3, 1]) });
    expect([...(await out.k.data())]).toEqual([1, 2, 3]);
    expect(cache.keyLength(1)).toBe(4);
    expect(log).toEqual({ capacities: [256], viewLengths: [undefined] });
    cache.dispose();
  });

  it('rejects a padding that is not a positive integer', () => {
    const backend = createReferenceBackend();
    for (const padding of [0, -8, 1.5, Number.NaN]) {
      expect(() => new KVCache(backend, 1, { padding })).toThrow(expect.objectContaining({ code: 'PIO_BACKEND_ERROR', op: 'KVCache' }));
    }
  });

  it('pads as the backend asks (kvCachePadding), hides the padding in attentionMask, and marks updateKeysValues values', async () => {
    const log: BufferLog = { capacities: [], viewLengths: [], roles: [] };
    const backend: Backend = { ...withFakeSequenceBuffers(log), kvCachePadding: 4 };
    const cache = new KVCache(backend, 1);
    const entry = (n: number) => backend.fill([1, 1, n, 2], 1); // [batch, kvHeads, seq, headDim]
    const prompt = cache.attentionMask([[0, 1, 1]], 3); // a prompt: exact, causal, the pad hidden
    expect([...prompt.shape]).toEqual([1, 1, 3, 3]);
    expect([...(await prompt.data())]).toEqual([MASK_VALUE, MASK_VALUE, MASK_VALUE, MASK_VALUE, 0, MASK_VALUE, MASK_VALUE, 0, 0]);
    cache.updateKeysValues(0, { keys: entry(3), values: entry(3) });
    expect(log.roles).toEqual(['keys', 'values']);
    const step = cache.attentionMask([[0, 1, 1, 1]], 1); // one position: padded to 4
    expect([...(await step.data())]).toEqual([MASK_VALUE, 0, 0, 0]);
    expect([...cache.updateKeysValues(0, { keys: entry(1), values: entry(1) }).keys.shape]).toEqual([1, 1, 4, 2]);
    const next = cache.attentionMask([[0, 1, 1, 1, 1]], 1);
    expect([...(await next.data())]).toEqual([MASK_VALUE, 0, 0, 0, 0, MASK_VALUE, MASK_VALUE, MASK_VALUE]);
    expect(() => cache.attentionMask([[1, 1]], 1)).toThrow(BackendError);
    for (const t of [prompt, step, next]) t.dispose();
    cache.dispose();
  });

  it('reserve sizes the first buffer once for the whole length, so it never grows (no copy)', async () => {
    const log: BufferLog = { capacities: [], viewLengths: [] };
    const backend = withFakeSequenceBuffers(log);
    const cache = new KVCache(backend, 1, { padding: 4, initialCapacity: 2 });
    cache.reserve(9); // a prompt of 3 and up to 6 new tokens
    const entry = (n: number) => backend.fill([1, 1, n, 1], 1);
    cache.update(0, { k: entry(3) });
    for (let i = 0; i < 6; i++) cache.update(0, { k: entry(1) });
    // 9 rounded up to the step (2), then to the padding (4): 12; one buffer, never replaced
    expect(log.capacities).toEqual([12]);
    expect(cache.length).toBe(9);
    // decode views are padded to 4, but never past the 9 reserved positions (llama.cpp caps at its context size):
    // lengths 4, 5-8, then 9 (not 12)
    expect(log.viewLengths).toEqual([3, 4, 8, 8, 8, 8, 9]);
    // past the reservation, padding alone decides again
    expect(cache.keyLength(1)).toBe(12);
    expect(() => cache.reserve(-1)).toThrow(BackendError);
    expect(() => cache.reserve(1.5)).toThrow(BackendError);
    cache.dispose();
  });

  it('maxPositions caps growth at the padded context length', () => {
    const log: BufferLog = { capacities: [], viewLengths: [] };
    const backend = withFakeSequenceBuffers(log);
    const cache = new KVCache(backend, 1, { padding: 4, initialCapacity: 4, maxPositions: 10 });
    const entry = (n: number) => backend.fill([1, 1, n, 1], 1);
    cache.update(0, { k: entry(4) });
    for (let i = 0; i < 6; i++) cache.update(0, { k: entry(1) });
    // 4, then 8 (doubled), then 12 (10 padded to 4), not 16
    expect(log.capacities).toEqual([4, 8, 12]);
    // the prompt's 4 exact; lengths 5-8 padded to 8; 9 and 10 to the context's 10, not 12 (each growth first copies
    // the cached positions, unpadded)
    expect(log.viewLengths).toEqual([4, undefined, 8, 8, 8, 8, undefined, 10, 10]);
    expect(() => new KVCache(backend, 1, { maxPositions: 0 })).toThrow(BackendError);
    cache.dispose();
  });

  it('flush does nothing on an eager backend (it computes pending writes on lazy ones: see the ggml session tests)', async () => {
    const backend = createReferenceBackend();
    const cache = new KVCache(backend, 2);
    await cache.flush(); // nothing cached
    cache.update(0, { k: backend.fill([1, 1, 2, 1], 1) });
    const before = backend.memory().tensors;
    await cache.flush();
    expect(backend.memory().tensors).toBe(before);
    cache.dispose();
  });

  it('retract undoes the last one-position updates of every layer (by concat and in sequence buffers), then that position is written again', async () => {
    for (const backend of [createReferenceBackend(), withFakeSequenceBuffers({ capacities: [], viewLengths: [] })]) {
      const cache = new KVCache(backend, 2, { padding: 1 });
      const inputs: Tensor[] = [];
      const input = (values: number[]) => {
        const t = backend.tensor(values, [1, 1, values.length, 1]);
        inputs.push(t);
        return t;
      };
      // [batch 1, heads 1, seq, dim 1]: a prompt of 2, then one step in both layers
      for (const layer of [0, 1]) cache.update(layer, { k: input([1, 2]) });
      // retract undoes steps, not prompts
      expect(() => cache.retract()).toThrow(BackendError);
      for (const layer of [0, 1]) cache.update(layer, { k: input([3 + layer]) });
      expect(cache.length).toBe(3);
      cache.retract();
      expect(cache.length).toBe(2);
      expect(() => cache.retract()).toThrow(BackendError); // once
      // the retried step writes the same position with its own values
      const retried = [0, 1].map((layer) => cache.update(layer, { k: input([5 + layer]) }).k);
      expect(cache.length).toBe(3);
      expect([...(await retried[0].data())]).toEqual([1, 2, 5]);
      expect([...(await retried[1].data())]).toEqual([1, 2, 6]);
      const next = cache.update(0, { k: input([7]) }).k;
      expect([...(await next.data())]).toEqual([1, 2, 5, 7]);
      cache.dispose();
      for (const t of inputs) t.dispose();
      expect(backend.memory().tensors, 'nothing leaked').toBe(0);
    }
  });
});
