import { f16ToFloat32, float32ToBf16, float32ToF16 } from '@pio/core';
import type { HostCodec } from './host-codec.js';

let f16Table: Float32Array | undefined;

/** float32 value of each of the 65536 half-precision bit patterns (built on first use). */
function f16Values(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) f16Table[bits] = f16ToFloat32(bits);
  }
  return f16Table;
}

/** bfloat16 or IEEE float16 values, two bytes each. bfloat16 decodes exactly by a 16-bit shift. */
export class HalfCodec implements HostCodec {
  readonly byteSize: number;

  private constructor(
    readonly storage: 'bfloat16' | 'float16',
    private readonly bits: Uint16Array,
    readonly rows: number,
    readonly cols: number,
  ) {
    this.byteSize = bits.byteLength;
  }

  /** Keeps `bits` (already in the target encoding; not copied). */
  static fromBits(storage: 'bfloat16' | 'float16', bits: Uint16Array, rows: number, cols: number): HalfCodec {
    return new HalfCodec(storage, bits, rows, cols);
  }

  /** Rounds float32 `values` to the nearest `storage` value (ties to even). */
  static encode(storage: 'bfloat16' | 'float16', values: Float32Array, rows: number, cols: number): HalfCodec {
    const bits = new Uint16Array(values.length);
    const round = storage === 'bfloat16' ? float32ToBf16 : float32ToF16;
    for (let i = 0; i < values.length; i++) bits[i] = round(values[i]);
    return new HalfCodec(storage, bits, rows, cols);
  }

  decodeRows(row: number, count: number, out: Float32Array, offset: number): void {
    const start = row * this.cols;
    const n = count * this.cols;
    const bits = this.bits;
    if (this.storage === 'bfloat16') {
      const words = new Int32Array(out.buffer, out.byteOffset + offset * 4, n);
      for (let i = 0; i < n; i++) words[i] = bits[start + i] << 16;
      return;
    }
    const table = f16Values();
    for (let i = 0; i < n; i++) out[offset + i] = table[bits[start + i]];
  }
}
