import { BackendError, BackendMemoryError } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from '../create-tfjs-backend.js';

const KIB = 1024;
const f32Host = (shape: number[]) => ({
  dtype: 'F32' as const,
  shape,
  bytes: new Uint8Array(shape.reduce((a, d) => a * d, 1) * 4),
});

describe('memory limit', () => {
  it('refuses an allocation that would pass maxBytes before making it, and accepts it again after a dispose', async () => {
    const backend = await createTfjsBackend({ device: 'wasm', maxBytes: 1024 * KIB });
    try {
      expect(backend.capabilities.maxBytes).toBe(1024 * KIB);
      const a = backend.fill([128 * KIB], 1); // 512 KiB
      const b = backend.fill([128 * KIB], 2); // 1024 KiB: exactly the limit
      expect(backend.memory()).toEqual({ tensors: 2, bytes: 1024 * KIB });
      let caught: unknown;
      try {
        backend.fill([1], 3);
      } catch (error) {
        caught = error;
      }
      expect(BackendMemoryError.isInstance(caught)).toBe(true);
      const e = caught as BackendMemoryError;
      expect([e.requestedBytes, e.allocatedBytes, e.limitBytes]).toEqual([4, 1024 * KIB, 1024 * KIB]);
      expect(e.message).toContain('tfjs-wasm');
      expect(backend.memory().tensors).toBe(2); // nothing was allocated
      a.dispose();
      const c = backend.scope(() => backend.add(b, 1)); // 512 KiB fits again; the scope's temporaries are freed
      expect(backend.memory()).toEqual({ tensors: 2, bytes: 1024 * KIB });
      c.dispose();
      b.dispose();
    } finally {
      backend.dispose();
    }
  });

  it('counts temporaries of an op: an attention whose scores would not fit is refused', async () => {
    const backend = await createTfjsBackend({ device: 'wasm', maxBytes: 160 * KIB });
    try {
      const q = backend.fill([1, 4, 64, 8], 0.1);
      const kv = backend.fill([1, 4, 64, 8], 0.2);
      // inputs 16 KiB and output 8 KiB fit, but with the [1, 4, 64, 64] scores (64 KiB), their softmax and copies they do not
      expect(() => backend.attention(q, kv, kv, { scale: 1 })).toThrow(/safe limit/);
      expect(backend.memory().tensors).toBe(2);
    } finally {
      backend.dispose();
    }
  });

  it('counts a wasm linear weight twice (XNNPACK keeps a packed copy) and refuses weights past the limit', async () => {
    const backend = await createTfjsBackend({ device: 'wasm', maxBytes: 300 * KIB });
    try {
      const w = backend.weight(f32Host([128, 256]), { role: 'linear' }); // 128 KiB, 256 KiB with the packed copy
      expect(w.byteSize).toBe(256 * KIB);
      expect(backend.memory().bytes).toBe(256 * KIB);
      expect(() => backend.weight(f32Host([64, 256]), { role: 'linear' })).toThrow(BackendMemoryError);
      const plain = backend.weight(f32Host([64, 128]), { role: 'plain' }); // 32 KiB, not a product operand
      expect(plain.byteSize).toBe(32 * KIB);
      // a host-compact weight lives outside the heap: it counts in memory() but not against the limit
      const q = backend.weight(f32Host([256, 256]), { role: 'linear', storage: 'int8' });
      expect(q.byteSize).toBe(256 * 256 + ((256 * 256) / 64) * 4);
      expect(backend.memory()).toEqual({ tensors: 3, bytes: 256 * KIB + 32 * KIB + q.byteSize });
    } finally {
      backend.dispose();
    }
  });

  it('refuses a single wasm tensor of 2 GiB without allocating it', async () => {
    const backend = await createTfjsBackend({ device: 'wasm', maxBytes: 8 * 2 ** 30 });
    try {
      expect(() => backend.fill([2 ** 29], 0)).toThrow(BackendError);
      expect(() => backend.fill([2 ** 29], 0)).toThrow(/larger than tfjs-wasm holds correctly/);
      expect(backend.memory()).toEqual({ tensors: 0, bytes: 0 });
    } finally {
      backend.dispose();
    }
  });

  it('enforces maxBytes on the plain JS engine too, which has no default limit', async () => {
    const unlimited = await createTfjsBackend({ device: 'js' });
    expect(unlimited.capabilities.maxBytes).toBeUndefined();
    unlimited.dispose();
    const backend = await createTfjsBackend({ device: 'js', maxBytes: 64 * KIB });
    try {
      const a = backend.fill([16 * KIB], 1);
      expect(() => backend.fill([1], 1)).toThrow(BackendMemoryError);
      a.dispose();
      expect(() => backend.fill([1], 1).dispose()).not.toThrow();
    } finally {
      backend.dispose();
    }
  });
});
