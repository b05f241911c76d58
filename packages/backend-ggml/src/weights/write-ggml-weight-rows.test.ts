import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededValues as values } from '../__fixtures__/seeded-values.js';
import { createGgmlBackend } from '../create-ggml-backend.js';
import type { GgmlBackend } from '../ggml-backend.js';

const host = (v: Float32Array, shape: number[]) => ({ dtype: 'F32' as const, shape, bytes: new Uint8Array(v.buffer) });

// writeWeightRows quantizes its rows in shares on the backend's threads: the stored rows must be those of the whole
// weight uploaded at once, for row counts that do not split evenly.
describe('ggml writeWeightRows on several threads', () => {
  const backends: GgmlBackend[] = [];
  beforeAll(async () => {
    for (const threads of [1, 2, 3]) backends.push(await createGgmlBackend({ device: 'cpu', threads, repackWeights: false }));
  });
  afterAll(() => {
    for (const b of backends) b.dispose();
  });

  for (const storage of ['q8_0', 'q4_0', 'q4_k'] as const) {
    it(`${storage}: 7 rewritten rows of a stacked weight equal the same rows uploaded whole, on 1, 2 and 3 threads`, async () => {
      const experts = 2;
      const rows = 7;
      const inF = 256; // one Q4_K super-block per row
      const original = values(experts * rows * inF, 11);
      const replacement = values(rows * inF, 12);
      const x = values(experts * inF, 13);
      const products: Float32Array[] = [];
      for (const backend of backends) {
        const whole = Float32Array.from(original);
        whole.set(replacement, rows * inF); // expert 1 replaced
        const direct = backend.weight(host(whole, [experts, rows, inF]), { role: 'linear', storage });
        const rewritten = backend.weight(host(Float32Array.from(original), [experts, rows, inF]), { role: 'linear', storage });
        await backend.writeWeightRows(rewritten, rows, host(Float32Array.from(replacement), [rows, inF]));
        const ids = backend.tensor(Int32Array.of(0, 1), [2, 1], 'int32');
        const input = backend.tensor(x, [2, 1, inF]);
        const a = backend.expertMatmul(input, direct, ids);
        const b = backend.expertMatmul(input, rewritten, ids);
        const [va, vb] = [(await a.data()) as Float32Array, (await b.data()) as Float32Array];
        expect(Array.from(vb)).toEqual(Array.from(va));
        products.push(va);
        for (const t of [direct, rewritten, ids, input, a, b]) t.dispose();
      }
      expect(Array.from(products[1])).toEqual(Array.from(products[0]));
      expect(Array.from(products[2])).toEqual(Array.from(products[0]));
    });
  }
});
