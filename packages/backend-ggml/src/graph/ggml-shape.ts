import { BackendError } from '@pio/core';

/**
 * ggml's `ne` (fastest-varying first, padded to 4) for a row-major shape. ggml has 4 dimensions: the leading axes
 * of a rank > 4 shape are merged into `ne[3]` (ops that need those axes separately check {@link assertAxisInGgml}).
 */
export function toNe(shape: readonly number[]): [number, number, number, number] {
  const ne: [number, number, number, number] = [1, 1, 1, 1];
  const r = shape.length;
  for (let i = 0; i < Math.min(r, 3); i++) ne[i] = shape[r - 1 - i];
  if (r >= 4) ne[3] = shape.slice(0, r - 3).reduce((a, b) => a * b, 1);
  return ne;
}

/** Throws when `axis` of a rank > 4 tensor lies in the leading axes merged into ggml's `ne[3]`. */
export function assertAxisInGgml(op: string, axis: number, rank: number): void {
  if (rank > 4 && axis < rank - 3)
    throw new BackendError(
      op,
      `axis ${axis} of a rank-${rank} tensor: ggml keeps 4 dimensions, so ops on the leading ${rank - 3} axes need a reshape to rank 4 first`,
    );
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
