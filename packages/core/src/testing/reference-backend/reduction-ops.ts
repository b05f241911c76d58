import type { Tensor, TensorDType } from '../../backend/tensor.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import type { ReferenceTensor, ReferenceValues } from './reference-tensor.js';
import { normalizeAxis, sizeOf } from './shape-utils.js';

/** A tensor seen as `[outer, dim, inner]` around one axis. */
export interface AxisView {
  t: ReferenceTensor;
  values: ReferenceValues;
  axis: number;
  outer: number;
  dim: number;
  inner: number;
}

/** Splits `x` around `axis` (negative counts from the end). */
export function axisView(rt: ReferenceRuntime, op: string, x: Tensor, axis: number): AxisView {
  const t = rt.read(op, x);
  const ax = normalizeAxis(op, axis, t.shape.length, t.shape);
  return {
    t,
    values: t.valuesFor(op),
    axis: ax,
    outer: sizeOf(t.shape.slice(0, ax)),
    dim: t.shape[ax],
    inner: sizeOf(t.shape.slice(ax + 1)),
  };
}

function reducedShape(v: AxisView, keepDims: boolean): number[] {
  const shape = [...v.t.shape];
  if (keepDims) shape[v.axis] = 1;
  else shape.splice(v.axis, 1);
  return shape;
}

type Reduction = 'sum' | 'mean' | 'max' | 'argMax';

/** {@link Backend.sum}, {@link Backend.mean}, {@link Backend.max} and {@link Backend.argMax} (first index on ties). */
export function reduceOp(rt: ReferenceRuntime, op: Reduction, x: Tensor, axis: number, keepDims = false): Tensor {
  const v = axisView(rt, op, x, axis);
  const { values, outer, dim, inner } = v;
  const dtype: TensorDType = op === 'argMax' || ((op === 'sum' || op === 'max') && v.t.dtype === 'int32') ? 'int32' : 'float32';
  const n = outer * inner;
  const out = dtype === 'int32' ? new Int32Array(n) : new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let acc = op === 'max' || op === 'argMax' ? -Infinity : 0;
      let best = 0;
      for (let j = 0; j < dim; j++) {
        const value = values[base + j * inner];
        if (op === 'sum' || op === 'mean') acc += value;
        else if (Number.isNaN(value)) {
          if (!Number.isNaN(acc)) [acc, best] = [NaN, j];
        } else if (value > acc) [acc, best] = [value, j];
      }
      if (op === 'max' && dim === 0) acc = NaN;
      out[o * inner + i] = op === 'argMax' ? best : op === 'mean' ? acc / dim : acc;
    }
  }
  return rt.create(out, op === 'argMax' ? reducedShape(v, false) : reducedShape(v, keepDims), dtype);
}

/** {@link Backend.cumsum}: inclusive. */
export function cumsumOp(rt: ReferenceRuntime, x: Tensor, axis: number): Tensor {
  const { t, values, outer, dim, inner } = axisView(rt, 'cumsum', x, axis);
  const out = t.dtype === 'int32' ? new Int32Array(values.length) : new Float64Array(values.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let j = 0; j < dim; j++) {
        const k = (o * dim + j) * inner + i;
        acc += values[k];
        out[k] = acc;
      }
    }
  }
  return rt.create(out, t.shape, t.dtype);
}
