import type { HostDType } from '../backend/host-tensor.js';

/** What a checkpoint says about one tensor, known without reading its data. */
export interface TensorInfo {
  /** Element type as stored in the file. */
  readonly dtype: HostDType;
  /** Shape, row-major. */
  readonly shape: readonly number[];
  /** Bytes the tensor occupies in the file (`product(shape) * bytesPerElement(dtype)`). */
  readonly byteLength: number;
}
