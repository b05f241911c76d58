import type { Weight } from '../../backend/backend.js';
import type { HostTensor } from '../../backend/host-tensor.js';
import { decodeHostTensor } from '../../backend/host-tensor-decode.js';
import type { Tensor, TensorDType } from '../../backend/tensor.js';
import type { WeightOptions } from '../../backend/weight-storage.js';
import { checkWeightRows } from '../../backend/weight-row-rules.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import type { ReferenceValues } from './reference-tensor.js';
import { checkShape, fmt, sizeOf } from './shape-utils.js';

/** Host values converted to the storage of `dtype` (int32 conversion truncates toward zero, like `Int32Array`). */
export function toValues(values: ArrayLike<number>, dtype: TensorDType): ReferenceValues {
  return dtype === 'int32' ? Int32Array.from(values) : Float64Array.from(values);
}

function checkDType(op: string, dtype: unknown): asserts dtype is TensorDType {
  if (dtype !== 'float32' && dtype !== 'int32') throw new BackendError(op, `unsupported dtype ${String(dtype)}; use 'float32' or 'int32'`);
}

/** {@link Backend.tensor}. */
export function tensorOp(rt: ReferenceRuntime, values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): Tensor {
  checkShape('tensor', shape);
  const resolved = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  checkDType('tensor', resolved);
  if (values == null || typeof values.length !== 'number') throw new BackendError('tensor', 'values must be a Float32Array, Int32Array or number array');
  if (values.length !== sizeOf(shape)) {
    throw new BackendError('tensor', `${values.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
  }
  return rt.create(toValues(values, resolved), shape, resolved);
}

/** {@link Backend.fill}. */
export function fillOp(rt: ReferenceRuntime, shape: readonly number[], value: number, dtype: TensorDType = 'float32'): Tensor {
  checkShape('fill', shape);
  checkDType('fill', dtype);
  if (typeof value !== 'number') throw new BackendError('fill', `value must be a number, got ${typeof value}`);
  const n = sizeOf(shape);
  const values: ReferenceValues = dtype === 'int32' ? new Int32Array(n) : new Float64Array(n);
  values.fill(dtype === 'int32' ? Math.trunc(value) : value);
  return rt.create(values, shape, dtype);
}

/**
 * {@link Backend.weight}: decodes the host bytes (float types to float32 values, integer types to int32) and stores
 * them as float32 whatever storage was requested (the reference backend holds only `float32` natively).
 */
export function weightOp(rt: ReferenceRuntime, host: HostTensor, options: WeightOptions = {}): Weight {
  const what = options.name ? `${options.name} (${host.dtype}${fmt(host.shape ?? [])})` : `${host.dtype}${fmt(host.shape ?? [])}`;
  checkShape('weight', host.shape);
  let decoded: Float32Array | Int32Array;
  try {
    decoded = decodeHostTensor(host);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendError('weight', `cannot decode ${what}: ${reason}`, { cause: error });
  }
  const dtype: TensorDType = decoded instanceof Int32Array ? 'int32' : 'float32';
  return rt.createWeight(toValues(decoded, dtype), host.shape, dtype, 'float32');
}

/** {@link Backend.writeWeightRows}: decodes `host` and overwrites the weight's float values from row `firstRow` on. */
export async function writeWeightRowsOp(rt: ReferenceRuntime, weight: Weight, firstRow: number, host: HostTensor): Promise<void> {
  const target = rt.read('writeWeightRows', weight, 'weight');
  const [, rowLength] = checkWeightRows(target.shape, firstRow, host.shape);
  const values = target.valuesFor('writeWeightRows');
  values.set(decodeHostTensor(host), firstRow * rowLength);
}
