import type { Emitter } from '../graph/emitter.js';
import { toNe } from '../graph/ggml-shape.js';
import type { NativePointer } from '../runtime/ggml-api.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';

/** Swaps ggml dimension `d` with dimension 0 (a view; its own inverse). */
export function swapToFront(e: Emitter, t: NativePointer, d: number): NativePointer {
  if (d === 0) return t;
  const ax = [0, 1, 2, 3];
  ax[0] = d;
  ax[d] = 0;
  return e.api.ggml_permute(e.ctx, t, ax[0], ax[1], ax[2], ax[3]);
}

/** Broadcasts `t` (any layout) to the row-major shape `shape` by repetition when it differs. */
export function repeatTo(e: Emitter, t: NativePointer, from: readonly number[], shape: readonly number[]): NativePointer {
  const ne = toNe(shape);
  const fromNe = toNe(from);
  if (fromNe.every((d, i) => d === ne[i])) return t;
  return e.api.ggml_repeat_4d(e.ctx, t, ne[0], ne[1], ne[2], ne[3]);
}

/** Byte strides of a contiguous tensor with ggml extents `ne` and `elementBytes` per value (4: float32, int32). */
export function contiguousStrides(ne: readonly number[], elementBytes = 4): [number, number, number, number] {
  const b = elementBytes;
  return [b, b * ne[0], b * ne[0] * ne[1], b * ne[0] * ne[1] * ne[2]];
}

/**
 * Exact elementwise select `m ? a : b` for float32 `a`, `b` of ggml extents `ne` (both already that size) and a 0/1
 * float mask `m` broadcastable to them: gathers single-element rows from `concat(a, b)` (no arithmetic on the values,
 * so infinities and NaN pass through untouched).
 */
export function selectExact(e: Emitter, m: NativePointer, a: NativePointer, b: NativePointer, ne: readonly number[]): NativePointer {
  const { api, ctx } = e;
  const n = ne[0] * ne[1] * ne[2] * ne[3];
  const table = api.ggml_concat(ctx, e.reshape(a, [1, n, 1, 1]), e.reshape(b, [1, n, 1, 1]), 1); // [1, 2n]
  const full = api.ggml_repeat_4d(ctx, m, ne[0], ne[1], ne[2], ne[3]);
  const notM = api.ggml_scale_bias(ctx, e.reshape(full, [n, 1, 1, 1]), -n, n); // n where m = 0
  const idx = api.ggml_add(ctx, notM, api.ggml_arange(ctx, 0, n, 1));
  const rows = api.ggml_get_rows(ctx, table, api.ggml_cast(ctx, idx, GGML_TYPE.I32)); // [1, n]
  return e.reshape(rows, ne);
}
