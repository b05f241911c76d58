import { formatShape } from '../../backend/shape-rules.js';
import { shapeSize } from '../../backend/host-tensor-decode.js';

export { broadcastShapes, checkShape, normalizeAxis, sameShape } from '../../backend/shape-rules.js';

/** Formats a shape for error messages (the spec's {@link formatShape}). */
export const fmt = formatShape;

/** Number of elements of `shape`. */
export const sizeOf = shapeSize;

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
