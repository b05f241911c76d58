import type { HostDType, HostTensor } from '../backend/host-tensor.js';
import { float32ToBf16, float32ToF16, HOST_DTYPE_BYTES, shapeSize } from '../backend/host-tensor-decode.js';
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';

const INT_RANGE: Partial<Record<HostDType, readonly [number, number]>> = {
  I32: [-(2 ** 31), 2 ** 31 - 1],
  I16: [-(2 ** 15), 2 ** 15 - 1],
  I8: [-128, 127],
  U8: [0, 255],
  BOOL: [0, 1],
  I64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * Encodes host values as a {@link HostTensor} in a safetensors dtype (little-endian bytes).
 *
 * Float32 to BF16 and F16 rounds to nearest even (as PyTorch's `.to(torch.bfloat16)`); float values go to F64
 * exactly. Integer dtypes need integer values in range. Throws `SafetensorsFormatError` (`invalid-tensor`) when
 * `values.length` is not the product of `shape` or a value does not fit the dtype.
 */
export function encodeHostTensor(values: Float32Array | Int32Array, shape: readonly number[], dtype: HostDType): HostTensor {
  const invalid = (detail: string) => new SafetensorsFormatError({ path: '<memory>', problem: 'invalid-tensor', detail });
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw invalid(`shape [${shape.join(', ')}] is not a list of non-negative integers`);
  const n = shapeSize(shape);
  if (values.length !== n) throw invalid(`${values.length} values do not fill shape [${shape.join(', ')}] (${n} elements)`);
  const bytes = new Uint8Array(n * HOST_DTYPE_BYTES[dtype]);
  const view = new DataView(bytes.buffer);
  const range = INT_RANGE[dtype];
  if (range) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw invalid(`value ${v} at index ${i} does not fit ${dtype}`);
    }
  }
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i], true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) view.setFloat64(i * 8, values[i], true);
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) view.setUint16(i * 2, float32ToBf16(values[i]), true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) view.setUint16(i * 2, float32ToF16(values[i]), true);
      break;
    case 'I64':
      for (let i = 0; i < n; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
      break;
    case 'I32':
      for (let i = 0; i < n; i++) view.setInt32(i * 4, values[i], true);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) view.setInt16(i * 2, values[i], true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) view.setInt8(i, values[i]);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < n; i++) view.setUint8(i, values[i]);
      break;
  }
  return { dtype, shape: [...shape], bytes };
}
