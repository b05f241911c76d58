import { BackendError, type Backend, type HostDType, type WeightStorage } from '@pio/core';
import { encodeHostTensor } from '@pio/core/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgmlBackend } from '../create-ggml-backend.js';
import { seededValues as values } from '../__fixtures__/seeded-values.js';

describe('ggml beginWeight (streamed upload)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterAll(() => backend?.dispose());

  const storages: WeightStorage[] = ['float32', 'float16', 'bfloat16', 'q8_0', 'q4_0', 'q4_k'];
  const dtypes: HostDType[] = ['F32', 'BF16', 'F16'];
  // rows of 256 (every block format fits) and of 64 (q4_k falls back), 1-d and 0-d plain tensors
  const shapes = [
    [7, 256],
    [2, 5, 64],
  ];

  for (const storage of storages) {
    for (const dtype of dtypes) {
      it(`${dtype} → ${storage}: parts of 3 rows store what one whole upload stores`, async () => {
        for (const [i, shape] of shapes.entries()) {
          const host = encodeHostTensor(
            values(
              shape.reduce((a, b) => a * b, 1),
              11 + i,
            ),
            shape,
            dtype,
          );
          const whole = backend.weight(host, { role: 'linear', storage });
          const writer = backend.beginWeight!({ dtype, shape }, { role: 'linear', storage });
          expect(writer.rows).toBe(host.bytes.byteLength / writer.rowBytes);
          // parts copied out of a reused buffer, as the loader does
          const buffer = new Uint8Array(3 * writer.rowBytes);
          for (let row = 0; row < writer.rows; row += 3) {
            const part = buffer.subarray(0, Math.min(3, writer.rows - row) * writer.rowBytes);
            part.set(host.bytes.subarray(row * writer.rowBytes, row * writer.rowBytes + part.byteLength));
            await writer.write(part);
            buffer.fill(0);
          }
          const streamed = writer.finish();
          expect(streamed.storage).toBe(whole.storage);
          expect(streamed.byteSize).toBe(whole.byteSize);
          expect(await streamed.data()).toEqual(await whole.data());
          whole.dispose();
          streamed.dispose();
        }
      });
    }
  }

  it('uploads 1-d and 0-d plain tensors (one row) as float32', async () => {
    for (const shape of [[5], []]) {
      const host = encodeHostTensor(
        values(
          shape.reduce((a, b) => a * b, 1),
          3,
        ),
        shape,
        'BF16',
      );
      const writer = backend.beginWeight!({ dtype: 'BF16', shape });
      expect(writer.rows).toBe(1);
      await writer.write(host.bytes);
      const weight = writer.finish();
      expect(weight.storage).toBe('float32');
      expect(await weight.data()).toEqual(await backend.weight(host).data());
    }
  });

  it('rejects parts that are not whole rows and an incomplete finish; abort frees the weight', async () => {
    const before = backend.memory();
    const writer = backend.beginWeight!({ dtype: 'F32', shape: [4, 32] }, { role: 'linear', storage: 'q8_0', name: 'w' });
    expect(backend.memory().tensors).toBe(before.tensors + 1);
    expect(() => writer.write(new Uint8Array(100))).toThrow(BackendError);
    await writer.write(new Uint8Array(2 * 128));
    expect(() => writer.write(new Uint8Array(3 * 128))).toThrow(/not whole rows of w/);
    expect(() => writer.finish()).toThrow(/incomplete: 2 of 4 rows/);
    writer.abort();
    expect(backend.memory()).toEqual(before);
    expect(() => writer.write(new Uint8Array(128))).toThrow(/after abort/);
  });

  it('quantizes on a worker thread: write() returns a promise, the event loop runs meanwhile, finish() waits for it', async () => {
    // 256 rows of 1024 values into Q4_K, the slowest format to encode (milliseconds: the loop gets its turn first)
    const shape = [256, 1024];
    const host = encodeHostTensor(values(shape[0] * shape[1], 5), shape, 'BF16');
    const whole = backend.weight(host, { role: 'linear', storage: 'q4_k' });
    const writer = backend.beginWeight!({ dtype: 'BF16', shape }, { role: 'linear', storage: 'q4_k', name: 'w' });
    let turned = false;
    setImmediate(() => (turned = true));
    const pending = writer.write(host.bytes);
    expect(pending).toBeInstanceOf(Promise);
    expect(() => writer.finish()).toThrow(/still converting/);
    await pending;
    expect(turned).toBe(true);
    const streamed = writer.finish();
    // where the CPU repacks Q4_K (AVX2) the weights cannot be read back: their products are compared (same bytes,
    // same kernel: bit for bit)
    const x = backend.tensor(values(2 * shape[1], 6), [2, shape[1]]);
    expect(await backend.linear(x, streamed).data()).toEqual(await backend.linear(x, whole).data());
    whole.dispose();
    streamed.dispose();
  });

  it('two uploads quantizing at once (parts in flight together) each store their own values', async () => {
    const shape = [6, 256];
    const hosts = [21, 22].map((seed) => encodeHostTensor(values(shape[0] * shape[1], seed), shape, 'F32'));
    const writers = hosts.map(() => backend.beginWeight!({ dtype: 'F32', shape }, { role: 'linear', storage: 'q8_0' }));
    const rowBytes = writers[0].rowBytes;
    const writes: (void | Promise<void>)[] = [];
    for (let row = 0; row < shape[0]; row += 2) {
      for (const [i, writer] of writers.entries()) writes.push(writer.write(hosts[i].bytes.subarray(row * rowBytes, (row + 2) * rowBytes)));
    }
    await Promise.all(writes);
    for (const [i, writer] of writers.entries()) {
      const whole = backend.weight(hosts[i], { role: 'linear', storage: 'q8_0' });
      const streamed = writer.finish();
      expect(await streamed.data()).toEqual(await whole.data());
      whole.dispose();
      streamed.dispose();
    }
  });

  it('a part still quantizing when the backend is disposed rejects with BackendError (nothing is written)', async () => {
    const own = await createGgmlBackend({ device: 'cpu', threads: 1 });
    const shape = [256, 1024];
    const writer = own.beginWeight!({ dtype: 'BF16', shape }, { role: 'linear', storage: 'q4_k' });
    const pending = writer.write(encodeHostTensor(values(shape[0] * shape[1], 6), shape, 'BF16').bytes);
    own.dispose();
    await expect(pending).rejects.toSatisfy((e) => BackendError.isInstance(e));
  });
});
