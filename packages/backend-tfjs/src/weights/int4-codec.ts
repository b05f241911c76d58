import type { HostCodec } from './host-codec.js';

/**
 * Symmetric int4 weight-only quantization: one float32 scale `maxabs / 7` per group of `groupSize` columns; values
 * `round(x / scale)` (ties away from zero) in `[-7, 7]`, two per byte (element `2i` in the low nibble, two's complement).
 */
export class Int4Codec implements HostCodec {
  readonly storage = 'int4' as const;
  readonly byteSize: number;

  private constructor(
    private readonly packed: Uint8Array,
    private readonly scales: Float32Array,
    readonly rows: number,
    readonly cols: number,
    readonly groupSize: number,
  ) {
    this.byteSize = packed.byteLength + scales.byteLength;
  }

  /** Quantizes `[rows, cols]` float32 values; `groupSize` must be even and divide `cols`. */
  static quantize(values: Float32Array, rows: number, cols: number, groupSize: number): Int4Codec {
    const packed = new Uint8Array(Math.ceil(values.length / 2));
    const scales = new Float32Array(values.length / groupSize);
    for (let g = 0; g < scales.length; g++) {
      const start = g * groupSize;
      let maxAbs = 0;
      for (let i = start; i < start + groupSize; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
      const scale = Math.fround(maxAbs / 7);
      scales[g] = scale;
      if (scale === 0) continue;
      for (let i = start; i < start + groupSize; i++) {
        const v = values[i] / scale;
        const q = Math.max(-7, Math.min(7, Math.sign(v) * Math.round(Math.abs(v))));
        packed[i >> 1] |= (q & 0xf) << ((i & 1) * 4);
      }
    }
    return new Int4Codec(packed, scales, rows, cols, groupSize);
  }

  decodeRows(row: number, count: number, out: Float32Array, offset: number): void {
    const start = row * this.cols;
    const n = count * this.cols;
    const gs = this.groupSize;
    const scales = this.scales;
    const packed = this.packed;
    for (let i = 0; i < n; i += gs) {
      const scale = scales[(start + i) / gs];
      for (let j = i; j < i + gs; j++) {
        const k = start + j;
        const nibble = (packed[k >> 1] >> ((k & 1) * 4)) & 0xf;
        out[offset + j] = ((nibble << 28) >> 28) * scale;
      }
    }
  }
}
