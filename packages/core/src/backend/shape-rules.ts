import { BackendError } from '../errors/backend-error.js';

/**
 * The shape rules of the {@link Backend} spec, shared by every backend so they validate and report alike:
 * shape formatting for messages, shape checks, negative axes and NumPy broadcasting.
 */

/** Formats a shape for error messages, e.g. `[2,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws a {@link BackendError} naming `op` unless every dimension of `shape` is a non-negative integer. */
export function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new BackendError(op, `invalid shape ${Array.isArray(shape) ? formatShape(shape) : String(shape)}: dimensions must be non-negative integers`);
  }
}

/** Resolves a possibly negative `axis` against `rank` (negative axes count from the end); throws a {@link BackendError} when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number, shape: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new BackendError(op, `axis ${axis} is out of range for shape ${formatShape(shape)} (rank ${rank})`);
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
      throw new BackendError(op, `shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
