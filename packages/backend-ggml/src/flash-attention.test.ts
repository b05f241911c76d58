import type { Backend } from '@pio/core';
import { describeBackendConformance } from '@pio/core/testing/conformance';
import { describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';

// The whole conformance suite with every attention through ggml's flash_attn_ext (by default only score matrices of
// 16 MiB and more take it), at the suite's tolerances. Flash attention takes the mask as float16 (as in llama.cpp):
// masks of 0 and large negatives (causal, padding) stay exact, but the suite's one arbitrary additive bias (values in
// [-3, 0)) is rounded. Error model: float16 keeps 11 significant bits, so a bias in [-3, 0) moves by at most 2^-10;
// each normalised softmax weight then moves by a factor within exp(±2 * 2^-10), and the output, a weighted mean of
// values in [-1, 1], by at most exp(2^-9) - 1 < 1.96e-3 (float32 arithmetic adds ~1e-6). That case is compared at
// abs 2e-3 (and again, by hand, below).
describeBackendConformance('ggml-cpu (flash attention on)', () => createGgmlBackend({ device: 'cpu', flashAttention: 'on' }), {
  caseTolerance: {
    'nn/attention-full-mask': {
      tolerance: { abs: 2e-3, rel: 0 },
      reason: 'the mask is stored in float16; bound from its rounding, 2^-10 of a bias in [-3, 0)',
    },
  },
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

describe('flash attention with an arbitrary additive mask', () => {
  it('rounds the mask to float16 only: within float16 rounding of the bias (the case left out of the suite above)', async () => {
    const [heads, queryLen, keyLen, dim] = [4, 3, 5, 4];
    const q = values(heads * queryLen * dim, 11);
    const k = values(heads * keyLen * dim, 12);
    const v = values(heads * keyLen * dim, 13);
    const bias = values(heads * queryLen * keyLen, 14).map((x) => 1.5 * x - 1.5); // in [-3, 0)
    const backend = await createGgmlBackend({ device: 'cpu', flashAttention: 'on' });
    const out = backend.scope(() =>
      backend.attention(backend.tensor(q, [1, heads, queryLen, dim]), backend.tensor(k, [1, heads, keyLen, dim]), backend.tensor(v, [1, heads, keyLen, dim]), {
        scale: 1,
        mask: backend.tensor(bias, [1, heads, queryLen, keyLen]),
      }),
    );
    const got = await out.data();
    out.dispose();
    backend.dispose();
    let worst = 0;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < queryLen; i++) {
        const s = Array.from({ length: keyLen }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += q[(h * queryLen + i) * dim + d] * k[(h * keyLen + j) * dim + d];
          return dot + bias[(h * queryLen + i) * keyLen + j];
        });
        const max = Math.max(...s);
        const p = s.map((x) => Math.exp(x - max));
        const sum = p.reduce((a, b) => a + b, 0);
        for (let d = 0; d < dim; d++) {
          const want = p.reduce((acc, pj, j) => acc + pj * v[(h * keyLen + j) * dim + d], 0) / sum;
          worst = Math.max(worst, Math.abs(got[(h * queryLen + i) * dim + d] - want));
        }
      }
    }
    // float16 keeps 11 significant bits: a bias in [-3, 0) moves by at most 2^-10, so each probability by about 0.1%
    expect(worst).toBeLessThan(2e-3);
  });
});

describe('flash attention for long prompts (auto)', () => {
  // 4 heads x 256 queries x 4096 keys: a 16 MiB float32 score matrix, where `auto` switches to flash_attn_ext
  const [heads, kvHeads, queryLen, keyLen, headDim, valueDim] = [4, 2, 256, 4096, 64, 32];
  const past = keyLen - queryLen; // causal: query i sees keys up to past + i
  const q = values(heads * queryLen * headDim, 1);
  const k = values(kvHeads * keyLen * headDim, 2);
  const vT = values(kvHeads * valueDim * keyLen, 3); // values stored [kvHeads, valueDim, keyLen], as a KV cache does
  const mask = new Float32Array(queryLen * keyLen).map((_, i) => (i % keyLen <= past + Math.floor(i / keyLen) ? 0 : -1e9));
  const scale = headDim ** -0.5;

  const run = async (backend: Backend): Promise<Float32Array> => {
    const out = backend.scope(() => {
      const v = backend.transpose(backend.tensor(vT, [1, kvHeads, valueDim, keyLen]), [0, 1, 3, 2]);
      return backend.attention(backend.tensor(q, [1, heads, queryLen, headDim]), backend.tensor(k, [1, kvHeads, keyLen, headDim]), v, {
        scale,
        mask: backend.tensor(mask, [1, 1, queryLen, keyLen]),
      });
    });
    const data = (await out.data()) as Float32Array;
    out.dispose();
    backend.dispose();
    return data;
  };

  /** Softmax attention in float64 on the host. */
  const oracle = (): Float64Array => {
    const out = new Float64Array(heads * queryLen * valueDim);
    const scores = new Float64Array(keyLen);
    for (let h = 0; h < heads; h++) {
      const kh = Math.floor(h / (heads / kvHeads));
      for (let i = 0; i < queryLen; i++) {
        let max = -Infinity;
        for (let j = 0; j < keyLen; j++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[(h * queryLen + i) * headDim + d] * k[(kh * keyLen + j) * headDim + d];
          scores[j] = dot * scale + mask[i * keyLen + j];
          max = Math.max(max, scores[j]);
        }
        let sum = 0;
        for (let j = 0; j < keyLen; j++) sum += scores[j] = Math.exp(scores[j] - max);
        for (let d = 0; d < valueDim; d++) {
          let acc = 0;
          for (let j = 0; j < keyLen; j++) acc += scores[j] * vT[(kh * valueDim + d) * keyLen + j];
          out[(h * queryLen + i) * valueDim + d] = acc / sum;
        }
      }
    }
    return out;
  };

  it('matches float64 attention within the conformance tolerance, and takes the flash path by default', async () => {
    const auto = await run(await createGgmlBackend({ device: 'cpu' }));
    const flash = await run(await createGgmlBackend({ device: 'cpu', flashAttention: 'on' }));
    const expected = oracle();
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(auto[i] - expected[i]) - 1e-5 * Math.abs(expected[i]));
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(auto).toEqual(flash);
  });
});

describe('layers sharing one mask in one graph', () => {
  // the mask's broadcast (and, for flash_attn_ext, its float16 form) is built once per graph and read by every
  // attention that takes the same mask: each must still get its own result
  const [heads, queryLen, keyLen, dim] = [2, 3, 6, 4];
  const mask = new Float32Array(queryLen * keyLen).map((_, i) => (i % keyLen <= keyLen - queryLen + Math.floor(i / keyLen) ? 0 : -1e9));
  const inputs = [21, 22].map((seed) => [0, 1, 2].map((part) => values(heads * (part === 0 ? queryLen : keyLen) * dim, seed * 10 + part)));

  for (const flashAttention of ['on', 'off'] as const) {
    it(`gives each attention the result it gets in a graph of its own (flash ${flashAttention})`, async () => {
      const backend = await createGgmlBackend({ device: 'cpu', flashAttention });
      const attend = (m: ReturnType<Backend['tensor']>, [q, k, v]: Float32Array[]) =>
        backend.attention(
          backend.tensor(q, [1, heads, queryLen, dim]),
          backend.tensor(k, [1, heads, keyLen, dim]),
          backend.tensor(v, [1, heads, keyLen, dim]),
          {
            scale: 0.5,
            mask: m,
          },
        );
      // both attentions in one graph (one read), with one mask tensor
      const together = backend.scope(() => {
        const m = backend.tensor(mask, [1, 1, queryLen, keyLen]);
        return backend.concat(
          inputs.map((parts) => attend(m, parts)),
          0,
        );
      });
      const both = await together.data();
      together.dispose();
      for (const [n, parts] of inputs.entries()) {
        const alone = backend.scope(() => attend(backend.tensor(mask, [1, 1, queryLen, keyLen]), parts));
        const want = await alone.data();
        alone.dispose();
        expect(Array.from(both.slice(n * want.length, (n + 1) * want.length))).toEqual(Array.from(want));
      }
      backend.dispose();
    });
  }
});

describe('flash attention over keys from a KV cache buffer', () => {
  // A `keys` sequence buffer stores each position's heads together, so the keys attention reads are a strided view;
  // a prompt chunk (32 or more query rows) packs them before flash_attn_ext. The packed copy holds the same float32
  // values, so the result equals attention over the same keys given as a plain tensor, bit for bit.
  const [heads, kvHeads, keyLen, headDim] = [4, 2, 96, 16];
  const keys = values(kvHeads * keyLen * headDim, 31);
  const vals = values(kvHeads * keyLen * headDim, 32);

  for (const queryLen of [40, 4]) {
    it(`gives the plain tensor's result with ${queryLen} query rows`, async () => {
      const q = values(heads * queryLen * headDim, 33);
      const mask = new Float32Array(queryLen * keyLen).map((_, i) => (i % keyLen <= keyLen - queryLen + Math.floor(i / keyLen) ? 0 : -1e9));
      const backend = await createGgmlBackend({ device: 'cpu', flashAttention: 'on' });
      const create = backend.createSequenceBuffer?.bind(backend);
      if (!create) throw new Error('the ggml backend has sequence buffers');
      const cacheKeys = create({ shape: [1, kvHeads, 0, headDim], axis: 2, capacity: keyLen + 64, role: 'keys' });
      const attend = (k: Parameters<Backend['attention']>[1]) =>
        backend.attention(backend.tensor(q, [1, heads, queryLen, headDim]), k, backend.tensor(vals, [1, kvHeads, keyLen, headDim]), {
          scale: headDim ** -0.5,
          mask: backend.tensor(mask, [1, 1, queryLen, keyLen]),
        });
      const fromCache = backend.scope(() => attend(cacheKeys.append(backend.tensor(keys, [1, kvHeads, keyLen, headDim]))));
      const plain = backend.scope(() => attend(backend.tensor(keys, [1, kvHeads, keyLen, headDim])));
      const [got, want] = [await fromCache.data(), await plain.data()];
      fromCache.dispose();
      plain.dispose();
      cacheKeys.dispose();
      backend.dispose();
      expect(got).toEqual(want);
    });
  }
});
