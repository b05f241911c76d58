import type { Tensor } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import type { ReferenceValues } from './reference-tensor.js';
import { fmt, normalizeAxis, sizeOf, stridesOf } from './shape-utils.js';

function emptyLike(values: ReferenceValues, n: number): ReferenceValues {
  return values instanceof Int32Array ? new Int32Array(n) : new Float64Array(n);
}

/** {@link Backend.reshape}: one dimension may be -1. */
export function reshapeOp(rt: ReferenceRuntime, x: Tensor, shape: readonly number[]): Tensor {
  const t = rt.read('reshape', x);
  const values = t.valuesFor('reshape');
  const size = values.length;
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new BackendError('reshape', `invalid target shape ${fmt(shape)} for ${fmt(t.shape)}: dimensions must be >= 0, at most one -1`);
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  let out = [...shape];
  if (inferred === 1) {
    if (known === 0 || size % known !== 0) throw new BackendError('reshape', `cannot infer -1 in ${fmt(shape)} for ${fmt(t.shape)} (${size} elements)`);
    out = shape.map((d) => (d === -1 ? size / known : d));
  }
  if (sizeOf(out) !== size) throw new BackendError('reshape', `cannot reshape ${fmt(t.shape)} (${size} elements) to ${fmt(shape)}`);
  return rt.create(values.slice(), out, t.dtype);
}

/** {@link Backend.transpose}. */
export function transposeOp(rt: ReferenceRuntime, x: Tensor, perm: readonly number[]): Tensor {
  const t = rt.read('transpose', x);
  const values = t.valuesFor('transpose');
  const rank = t.shape.length;
  const axes = perm.map((p) => (Number.isInteger(p) && p >= -rank && p < rank ? (p < 0 ? p + rank : p) : -1));
  if (perm.length !== rank || axes.includes(-1) || new Set(axes).size !== rank) {
    throw new BackendError('transpose', `perm ${fmt(perm)} is not a permutation of the axes of ${fmt(t.shape)}`);
  }
  const outShape = axes.map((a) => t.shape[a]);
  const inStrides = stridesOf(t.shape);
  const srcStride = axes.map((a) => inStrides[a]); // input stride of each output axis
  const n = values.length;
  const out = emptyLike(values, n);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let flat = 0; flat < n; flat++) {
    out[flat] = values[src];
    for (let ax = rank - 1; ax >= 0; ax--) {
      index[ax]++;
      src += srcStride[ax];
      if (index[ax] < outShape[ax]) break;
      src -= srcStride[ax] * index[ax];
      index[ax] = 0;
    }
  }
  return rt.create(out, outShape, t.dtype);
}

/** {@link Backend.concat}. */
export function concatOp(rt: ReferenceRuntime, xs: readonly Tensor[], axis: number): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new BackendError('concat', 'needs at least one tensor');
  const ts = xs.map((x, i) => rt.read('concat', x, `xs[${i}]`));
  const first = ts[0];
  const rank = first.shape.length;
  const ax = normalizeAxis('concat', axis, rank, first.shape);
  for (const t of ts) {
    const same = t.shape.length === rank && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!same) throw new BackendError('concat', `shapes ${ts.map((u) => fmt(u.shape)).join(', ')} differ outside axis ${axis}`);
    if (t.dtype !== first.dtype) throw new BackendError('concat', `dtypes differ (${ts.map((u) => u.dtype).join(', ')}); cast first`);
  }
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const outShape = [...first.shape];
  outShape[ax] = ts.reduce((s, t) => s + t.shape[ax], 0);
  const out = emptyLike(first.valuesFor('concat'), sizeOf(outShape));
  const outRow = outShape[ax] * inner;
  let col = 0;
  for (const t of ts) {
    const values = t.valuesFor('concat');
    const block = t.shape[ax] * inner;
    for (let o = 0; o < outer; o++) out.set(values.subarray(o * block, (o + 1) * block), o * outRow + col);
    col += block;
  }
  return rt.create(out, outShape, first.dtype);
}

/** {@link Backend.slice}: `size[i] = -1` means to the end. */
export function sliceOp(rt: ReferenceRuntime, x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const t = rt.read('slice', x);
  const values = t.valuesFor('slice');
  const rank = t.shape.length;
  if (begin.length !== rank || size.length !== rank) {
    throw new BackendError('slice', `begin ${fmt(begin)} and size ${fmt(size)} must both have rank ${rank} for ${fmt(t.shape)}`);
  }
  const outShape = size.map((s, i) => (s === -1 ? t.shape[i] - begin[i] : s));
  for (let i = 0; i < rank; i++) {
    const ok = Number.isInteger(begin[i]) && Number.isInteger(outShape[i]) && begin[i] >= 0 && outShape[i] >= 0 && begin[i] + outShape[i] <= t.shape[i];
    if (!ok) throw new BackendError('slice', `begin ${fmt(begin)} size ${fmt(size)} is out of bounds for ${fmt(t.shape)} (axis ${i})`);
  }
  const n = sizeOf(outShape);
  const out = emptyLike(values, n);
  const inStrides = stridesOf(t.shape);
  const index = new Array<number>(rank).fill(0);
  let src = begin.reduce((s, b, i) => s + b * inStrides[i], 0);
  for (let flat = 0; flat < n; flat++) {
    out[flat] = values[src];
    for (let ax = rank - 1; ax >= 0; ax--) {
      index[ax]++;
      src += inStrides[ax];
      if (index[ax] < outShape[ax]) break;
      src -= inStrides[ax] * index[ax];
      index[ax] = 0;
    }
  }
  return rt.create(out, outShape, t.dtype);
}
