import { BackendError, decodeHostTensor, type HostTensor, type TensorDType, type Weight, type WeightOptions } from '@pio/core';
import { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { planStorage } from '../weights/storage-plan.js';
import { fmt, sizeOf } from './op-support.js';

/** A tensor from host values. */
export function tensorOp(rt: GraphRuntime, values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): GraphNode {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new BackendError('tensor', `invalid shape ${fmt(shape)}`);
  if (values.length !== sizeOf(shape)) throw new BackendError('tensor', `${values.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} values)`);
  const type = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const data = type === 'int32' ? Int32Array.from(values, (v) => Math.trunc(v)) : Float32Array.from(values);
  return rt.upload('tensor', { shape, dtype: type, ggmlType: type === 'int32' ? GGML_TYPE.I32 : GGML_TYPE.F32, bytes: new Uint8Array(data.buffer) });
}

/** A tensor filled with `value`. */
export function fillOp(rt: GraphRuntime, shape: readonly number[], value: number, dtype: TensorDType = 'float32'): GraphNode {
  const n = sizeOf(shape);
  return tensorOp(rt, dtype === 'int32' ? new Int32Array(n).fill(value) : new Float32Array(n).fill(value), shape, dtype);
}

/** A {@link GraphNode} that is a {@link Weight}. */
export interface WeightNode extends GraphNode, Weight {}

/** Uploads a checkpoint tensor, quantizing with `ggml_quantize_chunk` when a compact storage is chosen. */
export function weightOp(rt: GraphRuntime, host: HostTensor, options: WeightOptions = {}): WeightNode {
  const plan = planStorage(options.role ?? 'plain', options.storage ?? 'float32', host.shape);
  const label = options.name ? ` ${options.name}` : '';
  let bytes: Uint8Array;
  if (plan.ggmlType === GGML_TYPE.F16 && host.dtype === 'F16') bytes = host.bytes;
  else if (plan.ggmlType === GGML_TYPE.BF16 && host.dtype === 'BF16') bytes = host.bytes;
  else {
    let values: Float32Array | Int32Array;
    try {
      values = decodeHostTensor(host);
    } catch (cause) {
      throw new BackendError('weight', `cannot decode${label} (${host.dtype} ${fmt(host.shape)})`, { cause });
    }
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    if (plan.ggmlType === GGML_TYPE.F32) bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
    else {
      const perRow = host.shape[host.shape.length - 1];
      const rows = f32.length / perRow;
      bytes = new Uint8Array(rt.api.ggml_row_size(plan.ggmlType, perRow) * rows);
      rt.api.ggml_quantize_chunk(plan.ggmlType, f32, bytes, 0, rows, perRow, null);
    }
  }
  const node = rt.upload('weight', { shape: host.shape, dtype: 'float32', ggmlType: plan.ggmlType, bytes }) as WeightNode;
  Object.defineProperties(node, { storage: { value: plan.storage, enumerable: true }, byteSize: { value: bytes.byteLength, enumerable: true } });
  return node;
}
