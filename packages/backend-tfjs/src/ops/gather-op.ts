import { BackendError, type Tensor } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { HostWeight } from '../weights/host-weight.js';
import { ResidentWeight } from '../weights/resident-weight.js';
import { bytesOf, fmt, normalizeAxis, sizeOf } from './shape-utils.js';

/**
 * `Backend.gather`: output `x.shape[:axis] + indices.shape + x.shape[axis+1:]`; indices int32 and in range.
 * On axis 0, a host-compact weight decodes only the picked rows, and a `linear` weight stored `[in, out]` is read by
 * column, so one tied matrix serves as both embedding and LM head.
 */
export function gatherOp(rt: TfjsRuntime, x: Tensor, indices: Tensor, axis = 0): Tensor {
  rt.check('gather', x);
  rt.check('gather', indices, 'indices');
  if (indices.dtype !== 'int32') throw new BackendError('gather', `indices must be int32, got ${indices.dtype}${fmt(indices.shape)}; cast them first`);
  const ax = normalizeAxis('gather', axis, x.shape.length, x.shape);
  const shape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
  const tf = rt.tf;
  const dim = x.shape[ax];
  if (x instanceof HostWeight && ax === 0 && x.shape.length >= 2) {
    const rowsPerId = sizeOf(x.shape.slice(1, -1));
    return rt.run('gather', { out: bytesOf(shape) }, () => {
      const ids = rt.unwrap(indices).dataSync();
      for (const i of ids) if (i < 0 || i >= dim) throw new BackendError('gather', `index ${i} is out of range [0, ${dim}) on axis 0 of ${fmt(x.shape)}`);
      return tf.tensor(x.decodeRows(ids, rowsPerId), shape, 'float32');
    }) as unknown as Tensor;
  }
  if (x instanceof ResidentWeight && x.layout === 'transposed' && ax === 0) {
    // stored [in, out]: the rows of the logical [out, in] matrix are its columns
    return rt.run('gather', { out: bytesOf(shape), extra: bytesOf(shape) }, () => {
      const flat = tf.reshape(rt.unwrap(indices), [-1]);
      const columns = tf.gather(x.stored, flat, 1); // [in, n]
      return tf.reshape(tf.transpose(columns), shape);
    }) as unknown as Tensor;
  }
  return rt.run('gather', { out: bytesOf(shape), inputs: [x] }, (): TfTensor => tf.gather(rt.unwrap(x), rt.unwrap(indices), ax)) as unknown as Tensor;
}
