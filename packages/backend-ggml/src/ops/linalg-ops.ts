import { BackendError, type Tensor } from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import { GGML_TYPE, type NativePointer } from '../runtime/ggml-api.js';
import { repeatTo } from './ggml-helpers.js';
import { asNode, broadcastShapes, fmt } from './op-support.js';

/** Swaps the last two row-major axes (ggml dimensions 0 and 1) and makes the result contiguous. */
function swapLast(e: Emitter, t: NativePointer): NativePointer {
  return e.cont(e.api.ggml_permute(e.ctx, t, 1, 0, 2, 3));
}

/** Compact weight types `ggml_mul_mat` takes as its first operand directly (BF16 is widened first, see {@link linearOp}). */
const DIRECT_TYPES = new Set<number>([GGML_TYPE.F16, GGML_TYPE.Q8_0, GGML_TYPE.Q4_0, GGML_TYPE.Q4_K]);

/**
 * Batched `a @ b` via `ggml_mul_mat(bᵀ, a)`: ggml multiplies rows by rows, so `b` is laid out `[..., n, k]` and `a`
 * `[..., m, k]`; the result's ggml extents `[n, m, ...]` are the row-major `[..., m, n]`. With `transposeB`, a
 * compact `b` (a stacked `linear` weight `[..., n, k]` in F16/Q8_0/Q4_0/Q4_K) is multiplied in its storage.
 */
export function matmulOp(rt: GraphRuntime, a: Tensor, b: Tensor, options: { transposeA?: boolean; transposeB?: boolean } = {}): GraphNode {
  const x = asNode('matmul', a);
  const y = asNode('matmul', b);
  if (x.shape.length < 2 || y.shape.length < 2) throw new BackendError('matmul', `needs rank >= 2, got ${fmt(x.shape)} and ${fmt(y.shape)}`);
  const [m, k] = options.transposeA ? x.shape.slice(-2).reverse() : x.shape.slice(-2);
  const [k2, n] = options.transposeB ? y.shape.slice(-2).reverse() : y.shape.slice(-2);
  if (k !== k2)
    throw new BackendError(
      'matmul',
      `inner dimensions differ: ${fmt(x.shape)} x ${fmt(y.shape)} (transposeA ${!!options.transposeA}, transposeB ${!!options.transposeB})`,
    );
  const batch = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
  const shape = [...batch, m, n];
  return rt.node('matmul', {
    shape,
    dtype: 'float32',
    inputs: [x, y],
    readsRepacked: options.transposeB === true && y.shape.length === 2, // a repacked 3-D stack (`experts`) is for mul_mat_id only
    recipe: {
      key: `${options.transposeA === true},${options.transposeB === true}`,
      emit: (e, [p, q]) => {
        // mul_mat (and repeat) read their operand through its strides when each row is contiguous (a permuted view of
        // per-head rows, as llama.cpp multiplies its permuted q_nope): a copy only for rows that are not
        const a0 = options.transposeA ? swapLast(e, e.f32(p, x.ggmlType)) : e.f32(p, x.ggmlType);
        const aRows = e.api.ggml_is_contiguous_rows(a0) ? a0 : e.cont(a0); // [..., m, k]
        const src1 = repeatTo(e, aRows, [...x.shape.slice(0, -2), m, k], [...batch, m, k]);
        const src0Batch = y.shape.slice(0, -2);
        const fits = src0Batch.length === 0 || src0Batch.every((d, i) => batch[batch.length - src0Batch.length + i] % d === 0);
        // A stacked compact weight `[..., n, k]` multiplies as stored (no dequantized copy per graph), as `linear` does.
        if (y.repacked !== undefined) return flatProduct(e, q, n, e.cont(src1), [...batch, m, k]);
        if (options.transposeB && fits && DIRECT_TYPES.has(y.ggmlType) && e.api.ggml_is_contiguous(q)) return e.api.ggml_mul_mat(e.ctx, q, src1);
        const bRows = options.transposeB ? e.cont(e.f32(q, y.ggmlType)) : swapLast(e, e.f32(q, y.ggmlType)); // [..., n, k]
        const src0 = fits ? bRows : e.cont(repeatTo(e, bRows, [...src0Batch, n, k], [...batch, n, k]));
        return e.api.ggml_mul_mat(e.ctx, src0, src1);
      },
    },
  });
}

/**
 * `x @ weightᵀ (+ bias)` via `ggml_mul_mat(weight, x)`: the weight keeps its `[out, in]` layout and storage (BF16
 * weights are widened to float32 first, so their results are exact).
 */
export function linearOp(rt: GraphRuntime, a: Tensor, w: Tensor, bias?: Tensor): GraphNode {
  const x = asNode('linear', a);
  const weight = asNode('linear', w);
  const b = bias === undefined ? undefined : asNode('linear', bias);
  const inDim = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 2 || weight.shape[1] !== inDim)
    throw new BackendError('linear', `weight ${fmt(weight.shape)} does not match input ${fmt(x.shape)} (expected [out, ${inDim}])`);
  const out = weight.shape[0];
  if (b && (b.shape.length !== 1 || b.shape[0] !== out)) throw new BackendError('linear', `bias ${fmt(b.shape)} must be [${out}]`);
  const shape = [...x.shape.slice(0, -1), out];
  return rt.node('linear', {
    shape,
    dtype: 'float32',
    inputs: b ? [x, weight, b] : [x, weight],
    readsRepacked: true,
    recipe: {
      key: '',
      tensors: weight.ggmlType === GGML_TYPE.BF16 ? 8 + 4 * Math.ceil((out * inDim * 4) / WIDEN_CHUNK_BYTES) : undefined,
      emit: (e, [p, q, r]) => {
        const xs = e.cont(e.f32(p, x.ggmlType));
        const y =
          weight.repacked !== undefined
            ? flatProduct(e, q, out, xs, x.shape)
            : weight.ggmlType === GGML_TYPE.BF16
              ? widenedProduct(e, q, inDim, out, xs)
              : e.api.ggml_mul_mat(e.ctx, q, xs);
        return b ? e.api.ggml_add(e.ctx, y, e.f32(r, b.ggmlType)) : y;
      },
    },
  });
}

/**
 * `mul_mat` of a repacked 2-D weight with contiguous float32 activations `xs` of any rank: ggml's repacked kernels
 * take activations of at most 3 dimensions (and quantize them plane by plane), so every row goes in as one 2-D matrix
 * (more rows per GEMM tile) and the product takes the activations' leading extents back.
 */
function flatProduct(e: Emitter, weight: NativePointer, out: number, xs: NativePointer, xsShape: readonly number[]): NativePointer {
  const { api, ctx } = e;
  const ne = toNe(xsShape);
  const rows = ne[1] * ne[2] * ne[3];
  const flat = ne[2] * ne[3] === 1 ? xs : api.ggml_reshape_4d(ctx, xs, ne[0], rows, 1, 1);
  const y = api.ggml_mul_mat(ctx, weight, flat); // [out, rows]
  return ne[2] * ne[3] === 1 ? y : api.ggml_reshape_4d(ctx, y, out, ne[1], ne[2], ne[3]);
}

/** Float32 bytes of BF16 weight rows widened at a time by {@link widenedProduct}. */
const WIDEN_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * `mul_mat` of a BF16 weight `[out, in]` with float32 activations, exactly: ggml's CPU matmul would round the
 * activations to bf16 (~1e-3 relative error), so the weight is widened to float32 inside the graph — in blocks of
 * rows of at most {@link WIDEN_CHUNK_BYTES}, whose products are joined, so the compute buffer holds one block (not
 * a float32 copy of a whole embedding-sized head) and the weight stays 2 bytes per value in memory.
 */
function widenedProduct(e: Emitter, weight: NativePointer, inDim: number, out: number, xs: NativePointer): NativePointer {
  const { api, ctx } = e;
  const rowBytes = api.ggml_row_size(GGML_TYPE.BF16, inDim);
  const rows = Math.max(1, Math.floor(WIDEN_CHUNK_BYTES / (4 * inDim)));
  const parts: NativePointer[] = [];
  for (let start = 0; start < out; start += rows) {
    const n = Math.min(rows, out - start);
    const block = n === out ? weight : api.ggml_view_4d(ctx, weight, inDim, n, 1, 1, rowBytes, rowBytes * n, rowBytes * n, start * rowBytes);
    parts.push(api.ggml_mul_mat(ctx, api.ggml_cast(ctx, block, GGML_TYPE.F32), xs)); // [n, ...]
  }
  // pairwise joins along the output features: each level copies the result once
  while (parts.length > 1) {
    const next: NativePointer[] = [];
    for (let i = 0; i < parts.length; i += 2) next.push(i + 1 < parts.length ? api.ggml_concat(ctx, parts[i], parts[i + 1], 0) : parts[i]);
    parts.splice(0, parts.length, ...next);
  }
  return parts[0];
}
