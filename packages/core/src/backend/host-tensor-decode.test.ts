import { describe, expect, it } from 'vitest';
import { BackendError } from '../errors/backend-error.js';
import type { HostDType } from './host-tensor.js';
import { bf16ToFloat32, decodeHostTensor, f16ToFloat32, float32ToBf16, float32ToF16, HOST_DTYPE_BYTES, shapeSize } from './host-tensor-decode.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 value with bit pattern `bits`. */
function fromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

const isBf16NaN = (b: number) => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
const isF16NaN = (b: number) => (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;

describe('bfloat16', () => {
  it('decodes bit patterns exactly, subnormals, zeros, infinities and NaN included', () => {
    expect(bf16ToFloat32(0x3f80)).toBe(1);
    expect(bf16ToFloat32(0xc010)).toBe(-2.25);
    expect(bf16ToFloat32(0x3dcc)).toBe(0.099609375);
    expect(bf16ToFloat32(0x0001)).toBe(2 ** -133);
    expect(bf16ToFloat32(0x807f)).toBe(-127 * 2 ** -133);
    expect(Object.is(bf16ToFloat32(0x8000), -0)).toBe(true);
    expect(bf16ToFloat32(0x7f80)).toBe(Infinity);
    expect(bf16ToFloat32(0xff80)).toBe(-Infinity);
    expect(bf16ToFloat32(0x7fc0)).toBeNaN();
  });

  it('round-trips every non-NaN pattern and keeps NaN a NaN', () => {
    for (let b = 0; b < 0x10000; b++) {
      const back = float32ToBf16(bf16ToFloat32(b));
      if (isBf16NaN(b)) expect(isBf16NaN(back), `0x${b.toString(16)}`).toBe(true);
      else if (back !== b) expect(back, `0x${b.toString(16)}`).toBe(b);
    }
  });

  it('rounds to nearest, ties to even, overflowing to infinity', () => {
    expect(float32ToBf16(fromBits(0x3f808000))).toBe(0x3f80); // tie, 0x3f80 is even
    expect(float32ToBf16(fromBits(0x3f818000))).toBe(0x3f82); // tie, 0x3f82 is even
    expect(float32ToBf16(fromBits(0x3f808001))).toBe(0x3f81); // above the tie
    expect(float32ToBf16(fromBits(0x3f807fff))).toBe(0x3f80); // below the tie
    expect(float32ToBf16(fromBits(0xbf818000))).toBe(0xbf82); // negative tie
    expect(float32ToBf16(fromBits(0x7f7fffff))).toBe(0x7f80); // largest float32 rounds up to +Inf
    expect(float32ToBf16(fromBits(0x00008000))).toBe(0x0000); // subnormal tie to even (0)
    expect(float32ToBf16(fromBits(0x00018000))).toBe(0x0002); // subnormal tie to even (2)
    expect(isBf16NaN(float32ToBf16(NaN))).toBe(true);
    expect(isBf16NaN(float32ToBf16(fromBits(0x7f800001)))).toBe(true); // payload only in the dropped bits
  });
});

describe('float16', () => {
  it('decodes bit patterns exactly, subnormals, zeros, infinities and NaN included', () => {
    expect(f16ToFloat32(0x3c00)).toBe(1);
    expect(f16ToFloat32(0xc080)).toBe(-2.25);
    expect(f16ToFloat32(0x3555)).toBe(0.333251953125);
    expect(f16ToFloat32(0x7bff)).toBe(65504);
    expect(f16ToFloat32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(f16ToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(f16ToFloat32(0x83ff)).toBe(-1023 * 2 ** -24); // largest subnormal, negative
    expect(Object.is(f16ToFloat32(0x8000), -0)).toBe(true);
    expect(f16ToFloat32(0x7c00)).toBe(Infinity);
    expect(f16ToFloat32(0xfc00)).toBe(-Infinity);
    expect(f16ToFloat32(0x7e00)).toBeNaN();
    expect(f16ToFloat32(0x7c01)).toBeNaN();
  });

  it('round-trips every non-NaN pattern and keeps NaN a NaN', () => {
    for (let b = 0; b < 0x10000; b++) {
      const back = float32ToF16(f16ToFloat32(b));
      if (isF16NaN(b)) expect(isF16NaN(back), `0x${b.toString(16)}`).toBe(true);
      else if (back !== b) expect(back, `0x${b.toString(16)}`).toBe(b);
    }
  });

  it('rounds to nearest, ties to even, in the normal and subnormal ranges', () => {
    expect(float32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3c00 and 0x3c01 → even
    expect(float32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3c01 and 0x3c02 → even
    expect(float32ToF16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(float32ToF16(2 ** -25)).toBe(0x0000); // half the smallest subnormal → 0 (even)
    expect(float32ToF16(3 * 2 ** -25)).toBe(0x0002); // 1.5 subnormal steps → 2 (even)
    expect(float32ToF16(2 ** -25 * (1 + 2 ** -10))).toBe(0x0001); // just above the tie
    expect(float32ToF16(-(2 ** -26))).toBe(0x8000); // underflow keeps the sign
    expect(float32ToF16(1023.5 * 2 ** -24)).toBe(0x0400); // rounds up from subnormal into the normal range
    expect(float32ToF16(fromBits(0x00000001))).toBe(0x0000); // float32 subnormal
  });

  it('overflows to infinity past the largest half', () => {
    expect(float32ToF16(65519)).toBe(0x7bff);
    expect(float32ToF16(65520)).toBe(0x7c00); // tie between 65504 (odd) and 65536 (Inf) → Inf
    expect(float32ToF16(1e6)).toBe(0x7c00);
    expect(float32ToF16(-1e6)).toBe(0xfc00);
    expect(float32ToF16(Infinity)).toBe(0x7c00);
    expect(isF16NaN(float32ToF16(NaN))).toBe(true);
  });
});

function le(dtype: HostDType, values: number[] | bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * HOST_DTYPE_BYTES[dtype]);
  const view = new DataView(bytes.buffer);
  values.forEach((v: number | bigint, i: number) => {
    const o = i * HOST_DTYPE_BYTES[dtype];
    if (dtype === 'F32') view.setFloat32(o, v as number, true);
    else if (dtype === 'F64') view.setFloat64(o, v as number, true);
    else if (dtype === 'I64') view.setBigInt64(o, v as bigint, true);
    else if (dtype === 'I32') view.setInt32(o, v as number, true);
    else if (dtype === 'I16') view.setInt16(o, v as number, true);
    else if (dtype === 'I8') view.setInt8(o, v as number);
    else if (dtype === 'BF16' || dtype === 'F16') view.setUint16(o, v as number, true);
    else view.setUint8(o, v as number);
  });
  return bytes;
}

describe('decodeHostTensor', () => {
  it('decodes float types to Float32Array', () => {
    expect(decodeHostTensor({ dtype: 'F32', shape: [3], bytes: le('F32', [1.5, -0.25, 3e38]) })).toEqual(new Float32Array([1.5, -0.25, 3e38]));
    expect(decodeHostTensor({ dtype: 'F64', shape: [2], bytes: le('F64', [0.1, -2]) })).toEqual(new Float32Array([Math.fround(0.1), -2]));
    expect(decodeHostTensor({ dtype: 'BF16', shape: [2, 1], bytes: le('BF16', [0x3f80, 0xc010]) })).toEqual(new Float32Array([1, -2.25]));
    expect(decodeHostTensor({ dtype: 'F16', shape: [1, 2], bytes: le('F16', [0x0001, 0xfc00]) })).toEqual(new Float32Array([2 ** -24, -Infinity]));
  });

  it('decodes integer and bool types to Int32Array', () => {
    const i64 = decodeHostTensor({ dtype: 'I64', shape: [3], bytes: le('I64', [-(2n ** 31n), 2n ** 31n - 1n, 7n]) });
    expect(i64).toEqual(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 7]));
    expect(decodeHostTensor({ dtype: 'I32', shape: [2], bytes: le('I32', [-5, 6]) })).toEqual(new Int32Array([-5, 6]));
    expect(decodeHostTensor({ dtype: 'I16', shape: [2], bytes: le('I16', [-300, 300]) })).toEqual(new Int32Array([-300, 300]));
    expect(decodeHostTensor({ dtype: 'I8', shape: [2], bytes: le('I8', [-128, 127]) })).toEqual(new Int32Array([-128, 127]));
    expect(decodeHostTensor({ dtype: 'U8', shape: [2], bytes: le('U8', [0, 255]) })).toEqual(new Int32Array([0, 255]));
    expect(decodeHostTensor({ dtype: 'BOOL', shape: [2], bytes: le('BOOL', [1, 0]) })).toEqual(new Int32Array([1, 0]));
  });

  it('reads bytes at any offset of a larger buffer, and scalars', () => {
    const whole = new Uint8Array(9);
    whole.set(le('F32', [2.5, -1]), 1);
    expect(decodeHostTensor({ dtype: 'F32', shape: [2], bytes: whole.subarray(1) })).toEqual(new Float32Array([2.5, -1]));
    expect(decodeHostTensor({ dtype: 'F32', shape: [], bytes: le('F32', [4]) })).toEqual(new Float32Array([4]));
  });

  it('throws BackendError for I64 values outside int32', () => {
    for (const v of [2n ** 31n, -(2n ** 31n) - 1n]) {
      let error: unknown;
      try {
        decodeHostTensor({ dtype: 'I64', shape: [1], bytes: le('I64', [v]) });
      } catch (e) {
        error = e;
      }
      expect(BackendError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(String(v));
    }
  });

  it('throws BackendError when the byte length does not match the shape', () => {
    let error: unknown;
    try {
      decodeHostTensor({ dtype: 'BF16', shape: [2, 3], bytes: new Uint8Array(10) });
    } catch (e) {
      error = e;
    }
    expect(BackendError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/needs 12 bytes, got 10/);
  });

  it('counts elements', () => {
    expect(shapeSize([3, 5, 7])).toBe(105);
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([4, 0])).toBe(0);
  });
});
