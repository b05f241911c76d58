import type { Tensor, TensorDType } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import { fmt, normalizeAxis, sizeOf } from './shape-utils.js';

/** {@link Backend.gather}: output `x.shape[:axis] + indices.shape + x.shape[axis+1:]`; indices must be int32 and in range. */
export function gatherOp(rt: ReferenceRuntime, x: Tensor, indices: Tensor, axis = 0): Tensor {
  const t = rt.read('gather', x);
  const idx = rt.read('gather', indices, 'indices');
  if (idx.dtype !== 'int32') throw new BackendError('gather', `indices must be int32, got ${idx.dtype}${fmt(idx.shape)}; cast them first`);
  const ax = normalizeAxis('gather', axis, t.shape.length, t.shape);
  const values = t.valuesFor('gather');
  const ids = idx.valuesFor('gather');
  const outer = sizeOf(t.shape.slice(0, ax));
  const dim = t.shape[ax];
  const inner = sizeOf(t.shape.slice(ax + 1));
  const outShape = [...t.shape.slice(0, ax), ...idx.shape, ...t.shape.slice(ax + 1)];
  const out = values instanceof Int32Array ? new Int32Array(sizeOf(outShape)) : new Float64Array(sizeOf(outShape));
  let dst = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k];
      if (i < 0 || i >= dim) throw new BackendError('gather', `index ${i} is out of range [0, ${dim}) on axis ${axis} of ${fmt(t.shape)}`);
      const src = (o * dim + i) * inner;
      out.set(values.subarray(src, src + inner), dst);
      dst += inner;
    }
  }
  return rt.create(out, outShape, t.dtype);
}

/** {@link Backend.cast}: float32 to int32 truncates toward zero. */
export function castOp(rt: ReferenceRuntime, x: Tensor, dtype: TensorDType): Tensor {
  const t = rt.read('cast', x);
  if (dtype !== 'float32' && dtype !== 'int32') throw new BackendError('cast', `unsupported dtype ${String(dtype)}`);
  const values = t.valuesFor('cast');
  const out = dtype === 'int32' ? Int32Array.from(values, Math.trunc) : Float64Array.from(values);
  return rt.create(out, t.shape, dtype);
}
