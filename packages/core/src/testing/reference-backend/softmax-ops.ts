import type { Tensor } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import { axisView } from './reduction-ops.js';
import { fmt } from './shape-utils.js';

/** {@link Backend.softmax} (`log` false) and {@link Backend.logSoftmax} (`log` true), stable: the max is subtracted first. */
export function softmaxOp(rt: ReferenceRuntime, x: Tensor, axis = -1, log = false): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  const { t, values, outer, dim, inner } = axisView(rt, op, x, axis);
  const out = new Float64Array(values.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let max = -Infinity;
      for (let j = 0; j < dim; j++) max = Math.max(max, values[base + j * inner]);
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += Math.exp(values[base + j * inner] - max);
      const logSum = Math.log(sum);
      for (let j = 0; j < dim; j++) {
        const shifted = values[base + j * inner] - max;
        out[base + j * inner] = log ? shifted - logSum : Math.exp(shifted) / sum;
      }
    }
  }
  return rt.create(out, t.shape, 'float32');
}

/** {@link Backend.topk}: `k` largest along the last axis, descending, lower index first on ties (NaN ranks lowest). */
export function topkOp(rt: ReferenceRuntime, x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  const { t, values, outer, dim } = axisView(rt, 'topk', x, -1);
  if (!Number.isInteger(k) || k < 0 || k > dim) throw new BackendError('topk', `k = ${k} must be an integer in [0, ${dim}] for ${fmt(t.shape)}`);
  const outValues = t.dtype === 'int32' ? new Int32Array(outer * k) : new Float64Array(outer * k);
  const outIndices = new Int32Array(outer * k);
  const order = Array.from({ length: dim }, (_, j) => j);
  for (let o = 0; o < outer; o++) {
    const row = values.subarray(o * dim, (o + 1) * dim);
    const key = (j: number) => (Number.isNaN(row[j]) ? -Infinity : row[j]);
    order.sort((p, q) => key(q) - key(p) || p - q);
    for (let j = 0; j < k; j++) {
      outIndices[o * k + j] = order[j];
      outValues[o * k + j] = row[order[j]];
    }
    order.forEach((_, j) => (order[j] = j));
  }
  const shape = [...t.shape.slice(0, -1), k];
  return { values: rt.create(outValues, shape, t.dtype), indices: rt.create(outIndices, shape, 'int32') };
}
