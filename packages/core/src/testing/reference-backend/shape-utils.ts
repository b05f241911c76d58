import { BackendError } from '../../errors/backend-error.js';

/** Formats a shape for error messages, e.g. `[2,3]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new BackendError(op, `invalid shape ${fmt(shape ?? [])}: dimensions must be non-negative integers`);
  }
}

/** Resolves a possibly negative `axis` against `rank`, throwing when it is out of range. */
export function normalizeAxis(op: string, axis: number, rank: number, shape: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new BackendError(op, `axis ${axis} is out of range for shape ${fmt(shape)} (rank ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** The NumPy broadcast of two shapes, or a {@link BackendError} naming `op` when they are incompatible. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new BackendError(op, `shapes ${fmt(a)} and ${fmt(b)} do not broadcast (dimension ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For each flat index of `outShape`, the flat index of the element of `inShape` it reads under broadcasting,
 * or `null` when `inShape` equals `outShape` (identity).
 */
export function broadcastIndexMap(inShape: readonly number[], outShape: readonly number[]): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return null;
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // Stride of each output axis in the input (0 where the input broadcasts).
  const strideFor = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    strideFor[o] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const n = sizeOf(outShape);
  const map = new Int32Array(n);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let flat = 0; flat < n; flat++) {
    map[flat] = offset;
    for (let ax = rank - 1; ax >= 0; ax--) {
      index[ax]++;
      offset += strideFor[ax];
      if (index[ax] < outShape[ax]) break;
      offset -= strideFor[ax] * index[ax];
      index[ax] = 0;
    }
  }
  return map;
}
