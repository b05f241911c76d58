import { BackendError, type Tensor } from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { assertAxisInGgml, normalizeAxis, toGgmlDim, toNe } from '../graph/ggml-shape.js';
import type { NativePointer } from '../runtime/ggml-api.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { contiguousStrides, swapToFront } from './ggml-helpers.js';
import { asNode, reducedShape } from './op-support.js';

/** Reductions computed along ggml's row dimension (the axis is moved there first). */
export type RowReduction = 'sum' | 'mean' | 'max' | 'softmax' | 'logSoftmax' | 'cumsum';

const POOL_MAX = 0;

/** Applies a per-row ggml op to `x` with the row-major `axis` moved to ggml dimension 0 and back. */
function alongAxis(e: Emitter, t: NativePointer, rank: number, axis: number, fn: (rows: NativePointer) => NativePointer): NativePointer {
  const d = toGgmlDim(axis, rank);
  const rows = e.cont(swapToFront(e, t, d));
  return e.cont(swapToFront(e, fn(rows), d));
}

function rowOp(e: Emitter, op: RowReduction, rows: NativePointer, n: number): NativePointer {
  const { api, ctx } = e;
  const max = (r: NativePointer) => api.ggml_pool_1d(ctx, r, POOL_MAX, n, n, 0);
  switch (op) {
    case 'sum':
      return api.ggml_sum_rows(ctx, rows);
    case 'mean':
      return api.ggml_mean(ctx, rows);
    case 'max':
      return max(rows);
    case 'softmax':
      return api.ggml_soft_max_ext(ctx, rows, null, 1, 0);
    case 'cumsum':
      return api.ggml_cumsum(ctx, rows);
    case 'logSoftmax': {
      const shifted = api.ggml_sub(ctx, rows, max(rows));
      return api.ggml_sub(ctx, shifted, api.ggml_log(ctx, api.ggml_sum_rows(ctx, api.ggml_exp(ctx, shifted))));
    }
  }
}

/** Extent up to which `sum` over an axis other than the last adds slices instead of moving the axis. */
const SLICE_SUM_MAX = 8;

/**
 * Sum of the `n` slices of contiguous `t` (ggml extents `ne`) along ggml dimension `d > 0`, as `n - 1` adds of strided
 * views, left to right: each add runs on every thread and nothing is copied. Moving the axis to the rows for
 * `sum_rows` copies the whole tensor, and `sum_rows` runs on one thread (the MoE weighted sum over the top-k).
 */
function sumOfSlices(e: Emitter, t: NativePointer, ne: readonly number[], d: number, n: number): NativePointer {
  const nb = contiguousStrides(ne);
  const slice = ne.map((v, i) => (i === d ? 1 : v));
  const at = (k: number) => e.api.ggml_view_4d(e.ctx, t, slice[0], slice[1], slice[2], slice[3], nb[1], nb[2], nb[3], k * nb[d]);
  let sum = at(0);
  for (let k = 1; k < n; k++) sum = e.api.ggml_add(e.ctx, sum, at(k));
  return sum;
}

/** `sum`, `mean`, `max` (reducing) and `softmax`, `logSoftmax`, `cumsum` (shape-preserving) along `axis`. */
export function reduceOp(rt: GraphRuntime, op: RowReduction, a: Tensor, axis: number, keepDims = false): GraphNode {
  const x = asNode(op, a);
  const rank = x.shape.length;
  const ax = normalizeAxis(op, axis, rank);
  assertAxisInGgml(op, ax, rank);
  const reducing = op === 'sum' || op === 'mean' || op === 'max';
  const shape = reducing ? reducedShape(x.shape, ax, keepDims) : [...x.shape];
  const int = x.dtype === 'int32' && (op === 'sum' || op === 'max' || op === 'cumsum');
  return rt.node(op, {
    shape,
    dtype: int ? 'int32' : 'float32',
    inputs: [x],
    recipe: {
      key: `${ax},${keepDims}`,
      emit: (e, [p]) => {
        const f = e.f32(p, x.ggmlType);
        const n = x.shape[ax];
        const d = toGgmlDim(ax, rank);
        let r =
          rank === 0
            ? f
            : op === 'sum' && d > 0 && n > 1 && n <= SLICE_SUM_MAX
              ? sumOfSlices(e, e.cont(f), toNe(x.shape), d, n)
              : alongAxis(e, f, rank, ax, (rows) => rowOp(e, op, rows, n));
        if (reducing) r = e.reshape(r, toNe(shape));
        return int ? e.api.ggml_cast(e.ctx, r, GGML_TYPE.I32) : r;
      },
    },
  });
}

/** Index of the largest value along `axis` (first on ties), int32. */
export function argMaxOp(rt: GraphRuntime, a: Tensor, axis: number): GraphNode {
  const x = asNode('argMax', a);
  const rank = x.shape.length;
  const ax = normalizeAxis('argMax', axis, rank);
  assertAxisInGgml('argMax', ax, rank);
  const shape = reducedShape(x.shape, ax, false);
  const len = x.shape[ax] ?? 1;
  const rows = shape.reduce((m, d) => m * d, 1);
  return rt.node('argMax', {
    shape,
    dtype: 'int32',
    inputs: [x],
    recipe: {
      key: `${ax}`,
      emit: (e, [p]) => {
        const f = e.f32(p, x.ggmlType);
        const d = rank === 0 ? 0 : toGgmlDim(ax, rank);
        const movedNe = toNe(x.shape);
        [movedNe[0], movedNe[d]] = d === 0 ? [1, 1] : [1, movedNe[0]];
        const moved = e.cont(swapToFront(e, f, d));
        const { api, ctx } = e;
        // ggml_argmax keeps the last maximum; the spec wants the first: weight the maxima by (len - i) and take argmax
        const m2 = e.reshape(moved, [len, rows, 1, 1]);
        const top = api.ggml_pool_1d(ctx, m2, POOL_MAX, len, len, 0); // [1, rows]
        const isMax = api.ggml_scale_bias(ctx, api.ggml_step(ctx, api.ggml_sub(ctx, api.ggml_repeat_4d(ctx, top, len, rows, 1, 1), m2)), -1, 1);
        const firstWins = api.ggml_mul(ctx, isMax, api.ggml_scale_bias(ctx, api.ggml_arange(ctx, 0, len, 1), -1, len));
        const idx = e.reshape(api.ggml_argmax(ctx, firstWins), movedNe);
        return e.reshape(swapToFront(e, idx, d), toNe(shape));
      },
    },
  });
}

/** The `k` largest values along the last axis, sorted descending, lower index first on ties (computed on the host). */
export function topkOp(rt: GraphRuntime, a: Tensor, k: number): { values: GraphNode; indices: GraphNode } {
  const x = asNode('topk', a);
  const n = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || !Number.isInteger(k) || k < 0 || k > n) throw new BackendError('topk', `k ${k} must be an integer in [0, ${n ?? 0}]`);
  const shape = [...x.shape.slice(0, -1), k];
  const order = (v: Float32Array | Int32Array): Int32Array => {
    const rows = v.length / n;
    const out = new Int32Array(rows * k);
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      const sorted = [...idx].sort((i, j) => v[base + j] - v[base + i] || i - j);
      for (let c = 0; c < k; c++) out[r * k + c] = sorted[c];
    }
    return out;
  };
  const indices = rt.node('topk', { shape, dtype: 'int32', inputs: [x], recipe: { host: ([v]) => order(v) } });
  const values = rt.node('topk', {
    shape,
    dtype: x.dtype,
    inputs: [x],
    recipe: {
      host: ([v]) => {
        const o = order(v);
        const out = x.dtype === 'int32' ? new Int32Array(o.length) : new Float32Array(o.length);
        for (let i = 0; i < o.length; i++) out[i] = v[Math.floor(i / k) * n + o[i]];
        return out;
      },
    },
  });
  return { values, indices };
}
