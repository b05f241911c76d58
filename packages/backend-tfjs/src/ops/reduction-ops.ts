import { BackendError, type Tensor, type TensorDType } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { Tf, TfTensor } from '../runtime/tf-types.js';
import { as } from './elementwise-ops.js';
import { bytesOf, fmt, normalizeAxis } from './shape-utils.js';

/** Reductions over one axis. `sum` and `max` keep int32; `mean` computes in float32; `argMax` yields int32. */
export type ReductionName = 'sum' | 'mean' | 'max' | 'argMax';

const REDUCE: Record<ReductionName, (tf: Tf, x: TfTensor, axis: number, keepDims: boolean) => TfTensor> = {
  sum: (tf, x, axis, keepDims) => tf.sum(x, axis, keepDims),
  mean: (tf, x, axis, keepDims) => tf.mean(as(tf, x, 'float32'), axis, keepDims),
  max: (tf, x, axis, keepDims) => tf.max(x, axis, keepDims),
  argMax: (tf, x, axis) => tf.argMax(x, axis),
};

/** `Backend.sum`, `mean`, `max` and `argMax` (first index on ties). */
export function reduceOp(rt: TfjsRuntime, op: ReductionName, x: Tensor, axis: number, keepDims = false): Tensor {
  rt.check(op, x);
  const ax = normalizeAxis(op, axis, x.shape.length, x.shape);
  const keep = op !== 'argMax' && keepDims === true;
  const shape = keep ? x.shape.map((d, i) => (i === ax ? 1 : d)) : x.shape.filter((_, i) => i !== ax);
  if (x.shape[ax] === 0 && (op === 'max' || op === 'argMax')) throw new BackendError(op, `cannot reduce the empty axis ${axis} of ${fmt(x.shape)}`);
  return rt.run(op, { out: bytesOf(shape), inputs: [x] }, () => REDUCE[op](rt.tf, rt.unwrap(x), ax, keep)) as unknown as Tensor;
}

/** `Backend.cumsum`: inclusive; keeps the dtype. */
export function cumsumOp(rt: TfjsRuntime, x: Tensor, axis: number): Tensor {
  rt.check('cumsum', x);
  const ax = normalizeAxis('cumsum', axis, x.shape.length, x.shape);
  return rt.run('cumsum', { out: bytesOf(x.shape), inputs: [x] }, () => rt.tf.cumsum(rt.unwrap(x), ax)) as unknown as Tensor;
}

/** `Backend.softmax` (`log` false) and `Backend.logSoftmax` (`log` true), stable, along any axis. */
export function softmaxOp(rt: TfjsRuntime, x: Tensor, axis = -1, log = false): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  rt.check(op, x);
  const ax = normalizeAxis(op, axis, x.shape.length, x.shape);
  const tf = rt.tf;
  return rt.run(op, { out: bytesOf(x.shape), extra: 2 * bytesOf(x.shape), inputs: [x] }, () => {
    const v = as(tf, rt.unwrap(x), 'float32');
    if (ax === x.shape.length - 1) return log ? tf.logSoftmax(v) : tf.softmax(v);
    // tfjs's kernels only reduce the last axis
    const shifted = tf.sub(v, tf.max(v, ax, true));
    const sum = tf.sum(tf.exp(shifted), ax, true);
    return log ? tf.sub(shifted, tf.log(sum)) : tf.div(tf.exp(shifted), sum);
  }) as unknown as Tensor;
}

/** `Backend.topk`: the `k` largest along the last axis, descending, lower index first on ties. */
export function topkOp(rt: TfjsRuntime, x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  rt.check('topk', x);
  const rank = x.shape.length;
  if (rank === 0) throw new BackendError('topk', 'x must have at least one axis');
  const dim = x.shape[rank - 1];
  if (!Number.isInteger(k) || k < 0 || k > dim) throw new BackendError('topk', `k = ${k} must be an integer in [0, ${dim}] for ${fmt(x.shape)}`);
  const shape = [...x.shape.slice(0, -1), k];
  const tf = rt.tf;
  const dtype: TensorDType = x.dtype;
  const [values, indices] = rt.run('topk', { out: 2 * bytesOf(shape), inputs: [x] }, () => {
    if (k === 0) return [tf.zeros(shape, dtype), tf.zeros(shape, 'int32')];
    const r = tf.topk(rt.unwrap(x), k, true);
    return [r.values, r.indices];
  });
  return { values: values as unknown as Tensor, indices: indices as unknown as Tensor };
}
