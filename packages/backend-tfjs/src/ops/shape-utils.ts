import { BackendError } from '@pio/core';

/** `[2, 3]` style shape text for messages. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes of a float32 or int32 tensor of `shape`. */
export function bytesOf(shape: readonly number[]): number {
  return sizeOf(shape) * 4;
}

/** Throws unless `shape` is an array of non-negative integers. */
export function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new BackendError(op, `shape ${Array.isArray(shape) ? fmt(shape) : String(shape)} must be non-negative integers`);
  }
}

/** `axis` in `[0, rank)`; negative axes count from the end. */
export function normalizeAxis(op: string, axis: number, rank: number, shape: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new BackendError(op, `axis ${axis} is out of range for ${fmt(shape)} (rank ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** NumPy broadcast of two shapes, or a `BackendError` naming `op` and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new BackendError(op, `shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
