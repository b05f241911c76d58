import { describe, expect, it } from 'vitest';
import { BACKEND_SPEC_VERSION } from '../../backend/backend.js';
import { BackendError } from '../../errors/backend-error.js';
import { createReferenceBackend } from './create-reference-backend.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

// Behaviour specific to the reference backend; the shared spec is covered by reference-backend.test.ts (conformance).
describe('createReferenceBackend', () => {
  it('declares the spec version and float32-only weight storage', () => {
    const b = createReferenceBackend({ maxBytes: 1024 });
    expect(b.specificationVersion).toBe(BACKEND_SPEC_VERSION);
    expect(b.capabilities).toEqual({ weightStorage: ['float32'], lazy: false, device: 'cpu', maxBytes: 1024 });
    expect(createReferenceBackend().capabilities.maxBytes).toBeUndefined();
  });

  it('stores every weight as float32 and counts 4 bytes per element', () => {
    const b = createReferenceBackend();
    const bytes = new Uint8Array([0x80, 0x3f, 0x00, 0xc0]); // BF16 [1, -2]
    const w = b.weight({ dtype: 'BF16', shape: [2], bytes }, { storage: 'int4', role: 'linear' });
    expect(w.storage).toBe('float32');
    expect(w.byteSize).toBe(8);
    expect(b.memory()).toEqual({ tensors: 1, bytes: 8 });
  });

  it('decodes integer host tensors to int32 and reports decode failures as BackendError', async () => {
    const b = createReferenceBackend();
    const bytes = new Uint8Array(new BigInt64Array([5n, -7n]).buffer);
    const w = b.weight({ dtype: 'I64', shape: [2], bytes });
    expect(w.dtype).toBe('int32');
    expect([...(await w.data())]).toEqual([5, -7]);
    const error = thrown(() => b.weight({ dtype: 'F32', shape: [3], bytes: new Uint8Array(8) }, { name: 'model.norm.weight' }));
    expect(BackendError.isInstance(error)).toBe(true);
    expect((error as BackendError).message).toContain('model.norm.weight');
  });

  it('keeps float64 precision internally and rounds to float32 only when read', async () => {
    const b = createReferenceBackend();
    const big = b.fill([1], 2 ** 24);
    const sum = b.sub(b.add(big, 1), big); // 1 in float64, 0 in float32 arithmetic
    expect([...(await sum.data())]).toEqual([1]);
  });

  it('applies its documented dtype rules', () => {
    const b = createReferenceBackend();
    const i = b.tensor(new Int32Array([7, -7]), [2]);
    expect(b.add(i, 2).dtype).toBe('int32');
    expect(b.add(i, 0.5).dtype).toBe('float32');
    expect(b.div(i, b.tensor(new Int32Array([2, 2]), [2])).dtype).toBe('float32');
    expect(b.maximum(i, i).dtype).toBe('int32');
    expect(b.mean(i, 0).dtype).toBe('float32');
    expect(b.exp(i).dtype).toBe('float32');
  });

  it('rejects out-of-range and float gather indices, foreign tensors and async scopes', () => {
    const b = createReferenceBackend();
    const other = createReferenceBackend();
    const x = b.fill([3, 2], 1);
    const cases: Array<[string, () => unknown]> = [
      ['gather', () => b.gather(x, b.tensor(new Int32Array([3]), [1]))],
      ['gather', () => b.gather(x, b.tensor(new Int32Array([-1]), [1]))],
      ['gather', () => b.gather(x, b.fill([1], 0))],
      ['add', () => b.add(x, other.fill([3, 2], 1))],
      ['scope', () => b.scope(() => Promise.resolve() as never)],
      ['where', () => b.where(b.fill([3, 2], 1), x, x)],
      ['concat', () => b.concat([x, b.fill([3, 2], 1, 'int32')], 0)],
    ];
    for (const [op, fn] of cases) {
      const error = thrown(fn);
      expect(BackendError.isInstance(error), op).toBe(true);
      expect((error as BackendError).op).toBe(op);
    }
  });

  it('refuses all work after dispose()', () => {
    const b = createReferenceBackend();
    const x = b.fill([2], 1);
    b.dispose();
    expect(x.isDisposed).toBe(true);
    expect(BackendError.isInstance(thrown(() => b.fill([2], 1)))).toBe(true);
  });

  it('names the op and shapes in error messages', () => {
    const b = createReferenceBackend();
    const error = thrown(() => b.matmul(b.fill([2, 3], 1), b.fill([4, 5], 1))) as BackendError;
    expect(error.message).toMatch(/^matmul: .*\[2,3\].*\[4,5\]/);
  });
});
