/** Element types found in safetensors files. */
export type HostDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * A tensor on the host, still in its file encoding (raw little-endian bytes).
 *
 * BF16 and F16 checkpoints stay two bytes per value here; a backend converts at upload.
 */
export interface HostTensor {
  /** Encoding of {@link HostTensor.bytes}. */
  readonly dtype: HostDType;
  /** Shape, row-major. */
  readonly shape: readonly number[];
  /** Raw little-endian element bytes, exactly `product(shape) * bytesPerElement(dtype)` long. */
  readonly bytes: Uint8Array;
}
