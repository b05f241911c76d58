import { BackendError, type TensorDType } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { fmt, sizeOf } from './op-support.js';

/** A tensor from host values. */
export function tensorOp(rt: GraphRuntime, values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): GraphNode {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new BackendError('tensor', `invalid shape ${fmt(shape)}`);
  if (values.length !== sizeOf(shape)) throw new BackendError('tensor', `${values.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} values)`);
  const type = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const data = type === 'int32' ? Int32Array.from(values, (v) => Math.trunc(v)) : Float32Array.from(values);
  return rt.input('tensor', { shape, dtype: type, ggmlType: type === 'int32' ? GGML_TYPE.I32 : GGML_TYPE.F32, bytes: new Uint8Array(data.buffer) });
}

/** A tensor filled with `value`. */
export function fillOp(rt: GraphRuntime, shape: readonly number[], value: number, dtype: TensorDType = 'float32'): GraphNode {
  const n = sizeOf(shape);
  return tensorOp(rt, dtype === 'int32' ? new Int32Array(n).fill(value) : new Float32Array(n).fill(value), shape, dtype);
}
