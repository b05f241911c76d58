import { formatShape, shapeSize } from '@pio/core';

export { broadcastShapes, checkShape, normalizeAxis, sameShape } from '@pio/core';

/** `[2,3]` style shape text for messages (the spec's `formatShape`). */
export const fmt = formatShape;

/** Number of elements of `shape`. */
export const sizeOf = shapeSize;

/** Bytes of a float32 or int32 tensor of `shape`. */
export function bytesOf(shape: readonly number[]): number {
  return sizeOf(shape) * 4;
}
