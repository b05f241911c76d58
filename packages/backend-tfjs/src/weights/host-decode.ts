import { decodeHostTensor, type HostTensor } from '@pio/core';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of `bytes` as 16-bit words (the bit patterns of BF16/F16 elements). */
export function halfBits(bytes: Uint8Array): Uint16Array {
  const n = bytes.byteLength >> 1;
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n).slice();
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return out;
}

/**
 * The values of a float host tensor as a new float32 array (integer types as int32), with fast paths for aligned
 * F32 and BF16 data. Validates the byte length like `decodeHostTensor`.
 */
export function decodeHost(host: HostTensor): Float32Array | Int32Array {
  const n = host.shape.reduce((a, d) => a * d, 1);
  if (LITTLE_ENDIAN && host.dtype === 'F32' && host.bytes.byteLength === n * 4 && host.bytes.byteOffset % 4 === 0) {
    return new Float32Array(host.bytes.buffer, host.bytes.byteOffset, n).slice();
  }
  if (host.dtype === 'BF16' && host.bytes.byteLength === n * 2) {
    const out = new Float32Array(n);
    const words = new Uint32Array(out.buffer);
    const bits = halfBits(host.bytes);
    for (let i = 0; i < n; i++) words[i] = bits[i] << 16;
    return out;
  }
  return decodeHostTensor(host);
}

/** `[rows, cols]` row-major values transposed to `[cols, rows]`, in cache-friendly blocks. */
export function transpose2d<T extends Float32Array | Int32Array>(values: T, rows: number, cols: number): T {
  const out = new (values.constructor as { new (n: number): T })(values.length);
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) out[c * rows + r] = values[r * cols + c];
      }
    }
  }
  return out;
}
