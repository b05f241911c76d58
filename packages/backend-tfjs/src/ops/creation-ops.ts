import { BackendError, type Tensor, type TensorDType } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import { bytesOf, checkShape, fmt, sizeOf } from './shape-utils.js';

function checkDType(op: string, dtype: unknown): asserts dtype is TensorDType {
  if (dtype !== 'float32' && dtype !== 'int32') throw new BackendError(op, `unsupported dtype ${String(dtype)}; use 'float32' or 'int32'`);
}

/** `Backend.tensor`: int32 conversion truncates toward zero. The caller's array is never aliased. */
export function tensorOp(rt: TfjsRuntime, values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): Tensor {
  checkShape('tensor', shape);
  const resolved = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  checkDType('tensor', resolved);
  if (values == null || typeof values.length !== 'number') throw new BackendError('tensor', 'values must be a Float32Array, Int32Array or number array');
  if (values.length !== sizeOf(shape)) {
    throw new BackendError('tensor', `${values.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
  }
  const copy = rt.engine.traits.aliasesHostArrays;
  let typed: Float32Array | Int32Array;
  if (resolved === 'int32') typed = values instanceof Int32Array ? (copy ? values.slice() : values) : Int32Array.from(values, Math.trunc);
  else typed = values instanceof Float32Array ? (copy ? values.slice() : values) : Float32Array.from(values);
  return rt.run('tensor', { out: bytesOf(shape) }, () => rt.tf.tensor(typed, [...shape], resolved)) as unknown as Tensor;
}

/** `Backend.fill`: int32 fill values truncate toward zero. */
export function fillOp(rt: TfjsRuntime, shape: readonly number[], value: number, dtype: TensorDType = 'float32'): Tensor {
  checkShape('fill', shape);
  checkDType('fill', dtype);
  if (typeof value !== 'number') throw new BackendError('fill', `value must be a number, got ${typeof value}`);
  const v = dtype === 'int32' ? Math.trunc(value) : value;
  return rt.run('fill', { out: bytesOf(shape) }, () => rt.tf.fill([...shape], v, dtype)) as unknown as Tensor;
}
