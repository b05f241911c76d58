import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgmlBackend } from '../create-ggml-backend.js';
import type { GgmlBackend } from '../ggml-backend.js';
import { seededValues as values } from '../__fixtures__/seeded-values.js';

/** Little-endian bytes of 16-bit patterns. */
function u16Bytes(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(bits.length * 2);
  bits.forEach((b, i) => new DataView(out.buffer).setUint16(i * 2, b, true));
  return out;
}

/** float32 bit patterns of `values`. */
function f32Bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

describe('bfloat16 weights on ggml', () => {
  let backend: GgmlBackend;
  beforeAll(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterAll(() => backend?.dispose());

  it('keeps BF16 checkpoint tensors bit for bit, in 2 bytes per value', async () => {
    // normal, negative, 1 ulp apart, subnormal, signed zeros, infinities, the largest finite, a quiet NaN
    const bits = [0x3f80, 0x3f81, 0xbf80, 0x4049, 0x0001, 0x807f, 0x0000, 0x8000, 0x7f80, 0xff80, 0x7f7f, 0x7fc1];
    const before = backend.memory().bytes;
    const w = backend.weight({ dtype: 'BF16', shape: [2, 6], bytes: u16Bytes(bits) }, { role: 'linear', storage: 'bfloat16' });
    expect(w.storage).toBe('bfloat16');
    expect(w.byteSize).toBe(24);
    expect(backend.memory().bytes - before).toBe(24);
    const got = (await w.data()) as Float32Array;
    // a bf16 value is the upper half of a float32: widening it back must give these exact patterns
    expect(f32Bits(got)).toEqual(bits.map((b) => (b << 16) >>> 0));
    w.dispose();
  });

  it('rounds float32 sources to the nearest bf16, ties to even', async () => {
    // float32 bit patterns and the bf16 they round to (worked out by hand)
    const cases: Array<[number, number]> = [
      [0x3f808000, 0x3f80], // 1 + 2^-8: a tie, down to the even 1.0
      [0x3f818000, 0x3f82], // 1 + 3*2^-8: a tie, up to the even neighbour
      [0x3f808001, 0x3f81], // just above the tie: up
      [0x3f807fff, 0x3f80], // just below: down
      [0xbf80c000, 0xbf81], // negative, above the tie: away from zero
      [0x7f7fffff, 0x7f80], // rounds past the largest finite bf16 to infinity, as torch does
      [0x00000001, 0x0000], // the smallest subnormal rounds to zero
    ];
    const src = new Uint32Array(cases.map(([f]) => f));
    const w = backend.weight({ dtype: 'F32', shape: [cases.length], bytes: new Uint8Array(src.buffer) }, { role: 'embedding', storage: 'bfloat16' });
    expect(w.storage).toBe('bfloat16');
    expect(w.byteSize).toBe(cases.length * 2);
    const got = (await w.data()) as Float32Array;
    expect(f32Bits(got)).toEqual(cases.map(([, b]) => (b << 16) >>> 0));
    w.dispose();
  });

  it('gathers rows of a bf16 embedding exactly', async () => {
    const table = values(10 * 24, 5);
    const bf = Uint16Array.from(f32Bits(table), (b) => b >>> 16); // truncated: any bf16 pattern will do
    const w = backend.weight({ dtype: 'BF16', shape: [10, 24], bytes: u16Bytes(Array.from(bf)) }, { role: 'embedding', storage: 'bfloat16' });
    const idx = backend.tensor(new Int32Array([9, 0, 9, 4]), [4]);
    const rows = backend.gather(w, idx, 0);
    const got = f32Bits((await rows.data()) as Float32Array);
    expect(got).toEqual([9, 0, 9, 4].flatMap((r) => Array.from(bf.subarray(r * 24, r * 24 + 24), (b) => (b << 16) >>> 0)));
    for (const t of [w, idx, rows]) t.dispose();
  });

  it('linear with a bf16 weight is exact to float32 accuracy (the weight is widened, the activations are not rounded)', async () => {
    const [outDim, inDim, n] = [64, 256, 6];
    const wBits = Uint16Array.from(f32Bits(values(outDim * inDim, 7)), (b) => b >>> 16);
    const wf = Float32Array.from(wBits, (b) => new Float32Array(new Uint32Array([(b << 16) >>> 0]).buffer)[0]);
    const x = values(n * inDim, 11);
    const w = backend.weight({ dtype: 'BF16', shape: [outDim, inDim], bytes: u16Bytes(Array.from(wBits)) }, { role: 'linear', storage: 'bfloat16' });
    const xt = backend.tensor(x, [n, inDim]);
    const y = backend.linear(xt, w);
    const got = await y.data();
    let err = 0;
    let sq = 0;
    let worst = 0;
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outDim; o++) {
        let acc = 0; // exact x @ wᵀ with the stored weight, in float64
        for (let k = 0; k < inDim; k++) acc += x[r * inDim + k] * wf[o * inDim + k];
        const d = got[r * outDim + o] - acc;
        err += d * d;
        sq += acc * acc;
        worst = Math.max(worst, Math.abs(d));
      }
    }
    const rel = Math.sqrt(err / sq);

    // Without widening, ggml's CPU matmul would round the activations to bf16 (measured 1.41e-3 relative RMS here);
    // with it, float32 accumulation only.
    expect(rel).toBeLessThan(1e-6);
    // matmul widens the weight to float32 first (an exact cast): float32 accuracy
    const viaMatmul = backend.matmul(xt, w, { transposeB: true });
    const mm = await viaMatmul.data();
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outDim; o++) {
        let acc = 0;
        for (let k = 0; k < inDim; k++) acc += x[r * inDim + k] * wf[o * inDim + k];
        expect(Math.abs(mm[r * outDim + o] - acc)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(acc));
      }
    }
    for (const t of [w, xt, y, viaMatmul]) t.dispose();
  });

  it('linear with a BF16 weight larger than one widening block (64 MiB of float32) joins the blocks exactly', async () => {
    // [8200, 2048]: 67 MB as float32, so the product is computed in two blocks of rows and joined
    const [outDim, inDim, n] = [8200, 2048, 2];
    const wf = values(outDim * inDim, 5);
    const wide = new Uint32Array(wf.buffer);
    const wBits = new Uint16Array(wf.length);
    for (let i = 0; i < wf.length; i++) {
      wBits[i] = wide[i] >>> 16;
      wide[i] = (wide[i] >>> 16) << 16; // wf now holds exactly the stored bf16 values
    }
    const x = values(n * inDim, 3);
    const w = backend.weight({ dtype: 'BF16', shape: [outDim, inDim], bytes: new Uint8Array(wBits.buffer) }, { role: 'linear', storage: 'bfloat16' });
    expect(w.byteSize).toBe(outDim * inDim * 2);
    const xt = backend.tensor(x, [n, inDim]);
    const y = backend.linear(xt, w);
    const got = await y.data();
    expect(got.length).toBe(n * outDim);
    let err = 0;
    let sq = 0;
    // a sample of rows, with every row around the block boundary (8192 rows of 2048 per 64 MiB block)
    const sample = Array.from({ length: outDim }, (_, o) => o).filter((o) => o % 41 === 0 || (o >= 8180 && o < outDim));
    for (let r = 0; r < n; r++) {
      for (const o of sample) {
        let acc = 0; // float64 reference with the stored weight
        for (let k = 0; k < inDim; k++) acc += x[r * inDim + k] * wf[o * inDim + k];
        err += (got[r * outDim + o] - acc) ** 2;
        sq += acc * acc;
      }
    }
    expect(Math.sqrt(err / sq)).toBeLessThan(1e-6);
    for (const t of [w, xt, y]) t.dispose();
  });
});
