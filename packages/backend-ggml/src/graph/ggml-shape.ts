import { BackendError } from '@pio/core';

/** ggml's `ne` (fastest-varying first, padded to 4) for a row-major shape of rank 0 to 4. */
export function toNe(shape: readonly number[], op = 'tensor'): [number, number, number, number] {
  if (shape.length > 4) throw new BackendError(op, `ggml holds at most 4 dimensions, got shape [${shape.join(', ')}]; merge dimensions first`);
  const ne: [number, number, number, number] = [1, 1, 1, 1];
  for (let i = 0; i < shape.length; i++) ne[i] = shape[shape.length - 1 - i];
  return ne;
}

/** Converts a row-major axis (negative counts from the end) to ggml's dimension index. */
export function toGgmlDim(axis: number, rank: number): number {
  return rank - 1 - axis;
}

/** Normalises a possibly negative axis, throwing `BackendError` from `op` when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new BackendError(op, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}
