import type { WeightStorage } from '@pio/core';

/**
 * Compact host-side storage of a `[rows, cols]` matrix (any weight seen as `[product of leading dims, last dim]`).
 * Quantized codecs group along `cols`, the input dimension of a `linear` weight.
 */
export interface HostCodec {
  /** Storage kind. */
  readonly storage: Extract<WeightStorage, 'bfloat16' | 'float16' | 'int8' | 'int4'>;
  /** Rows (output features of a linear weight). */
  readonly rows: number;
  /** Columns (input features). */
  readonly cols: number;
  /** Bytes held: values plus scales. */
  readonly byteSize: number;
  /** Decodes `count` rows starting at `row` into `out` (row-major) from `offset`. */
  decodeRows(row: number, count: number, out: Float32Array, offset: number): void;
}

const BLOCK = 32;

/**
 * Every value as float32: `logical` is `[rows, cols]`, `transposed` is `[cols, rows]` (the layout of a fast
 * `x @ w` product). The transposed form is written in blocks of rows to stay cache friendly.
 */
export function decodeAll(codec: HostCodec, layout: 'logical' | 'transposed'): Float32Array {
  const { rows, cols } = codec;
  const out = new Float32Array(rows * cols);
  if (layout === 'logical') {
    codec.decodeRows(0, rows, out, 0);
    return out;
  }
  const block = new Float32Array(BLOCK * cols);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const count = Math.min(BLOCK, rows - r0);
    codec.decodeRows(r0, count, block, 0);
    for (let c = 0; c < cols; c++) {
      const dst = c * rows + r0;
      for (let r = 0; r < count; r++) out[dst + r] = block[r * cols + c];
    }
  }
  return out;
}

/** For each id, the `rowsPerId` rows from row `id * rowsPerId`, as float32 `[ids.length * rowsPerId, cols]`. */
export function decodeSelected(codec: HostCodec, ids: ArrayLike<number>, rowsPerId = 1): Float32Array {
  const slab = rowsPerId * codec.cols;
  const out = new Float32Array(ids.length * slab);
  for (let i = 0; i < ids.length; i++) codec.decodeRows(ids[i] * rowsPerId, rowsPerId, out, i * slab);
  return out;
}
