import type { HostCodec } from './host-codec.js';

/**
 * Symmetric int8 weight-only quantization: each group of `groupSize` consecutive columns of a row has one float32
 * scale `maxabs / 127`; values are `round(x / scale)` (ties away from zero) in `[-127, 127]`; decoding is `q * scale`.
 */
export class Int8Codec implements HostCodec {
  readonly storage = 'int8' as const;
  readonly byteSize: number;

  private constructor(
    private readonly q: Int8Array,
    private readonly scales: Float32Array,
    readonly rows: number,
    readonly cols: number,
    readonly groupSize: number,
  ) {
    this.byteSize = q.byteLength + scales.byteLength;
  }

  /** Quantizes `[rows, cols]` float32 values; `groupSize` must divide `cols`. */
  static quantize(values: Float32Array, rows: number, cols: number, groupSize: number): Int8Codec {
    const q = new Int8Array(values.length);
    const scales = new Float32Array(values.length / groupSize);
    for (let g = 0; g < scales.length; g++) {
      const start = g * groupSize;
      let maxAbs = 0;
      for (let i = start; i < start + groupSize; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
      const scale = Math.fround(maxAbs / 127);
      scales[g] = scale;
      if (scale === 0) continue;
      for (let i = start; i < start + groupSize; i++) {
        const v = values[i] / scale;
        q[i] = Math.max(-127, Math.min(127, Math.sign(v) * Math.round(Math.abs(v))));
      }
    }
    return new Int8Codec(q, scales, rows, cols, groupSize);
  }

  decodeRows(row: number, count: number, out: Float32Array, offset: number): void {
    const start = row * this.cols;
    const n = count * this.cols;
    const gs = this.groupSize;
    const scales = this.scales;
    const q = this.q;
    for (let i = 0; i < n; i += gs) {
      const scale = scales[(start + i) / gs];
      for (let j = i; j < i + gs; j++) out[offset + j] = q[start + j] * scale;
    }
  }
}
