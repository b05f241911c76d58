import type { Tensor, TensorDType } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import { erf } from './erf.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import type { ReferenceTensor, ReferenceValues } from './reference-tensor.js';
import { broadcastIndexMap, broadcastShapes, fmt, sizeOf } from './shape-utils.js';

/** Binary elementwise ops. `div` always yields float32; the others yield int32 when both operands are int32. */
export type BinaryOpName = 'add' | 'sub' | 'mul' | 'div' | 'maximum';

/** Unary elementwise ops. `neg` and `square` keep int32; the others yield float32. */
export type UnaryOpName = 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'silu' | 'sigmoid' | 'tanh' | 'geluTanh' | 'geluErf';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const BINARY: Record<BinaryOpName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const UNARY: Record<UnaryOpName, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  silu: (x) => x * sigmoid(x),
  sigmoid,
  tanh: Math.tanh,
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  geluErf: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
};

function alloc(dtype: TensorDType, n: number): ReferenceValues {
  return dtype === 'int32' ? new Int32Array(n) : new Float64Array(n);
}

/** Reads `b` as a tensor view: a number becomes a scalar (int32 when `a` is int32 and the number is an integer). */
function operand(
  rt: ReferenceRuntime,
  op: string,
  a: ReferenceTensor,
  b: Tensor | number,
): { shape: readonly number[]; dtype: TensorDType; values: ArrayLike<number> } {
  if (typeof b === 'number') return { shape: [], dtype: a.dtype === 'int32' && Number.isInteger(b) ? 'int32' : 'float32', values: [b] };
  const t = rt.read(op, b, 'b');
  return { shape: t.shape, dtype: t.dtype, values: t.valuesFor(op) };
}

/** A binary op with NumPy broadcasting. */
export function binaryOp(rt: ReferenceRuntime, op: BinaryOpName, a: Tensor, b: Tensor | number): Tensor {
  const ta = rt.read(op, a, 'a');
  const va = ta.valuesFor(op);
  const tb = operand(rt, op, ta, b);
  const outShape = broadcastShapes(op, ta.shape, tb.shape);
  const dtype: TensorDType = op !== 'div' && ta.dtype === 'int32' && tb.dtype === 'int32' ? 'int32' : 'float32';
  const n = sizeOf(outShape);
  const out = alloc(dtype, n);
  const f = BINARY[op];
  const mapA = broadcastIndexMap(ta.shape, outShape);
  const mapB = broadcastIndexMap(tb.shape, outShape);
  const vb = tb.values;
  for (let i = 0; i < n; i++) out[i] = f(va[mapA ? mapA[i] : i], vb[mapB ? mapB[i] : i]);
  return rt.create(out, outShape, dtype);
}

/** A unary op. */
export function unaryOp(rt: ReferenceRuntime, op: UnaryOpName, x: Tensor, label: string = op): Tensor {
  const t = rt.read(label, x);
  const values = t.valuesFor(label);
  const dtype: TensorDType = (op === 'neg' || op === 'square') && t.dtype === 'int32' ? 'int32' : 'float32';
  const out = alloc(dtype, values.length);
  const f = UNARY[op];
  for (let i = 0; i < values.length; i++) out[i] = f(values[i]);
  return rt.create(out, t.shape, dtype);
}

/** {@link Backend.gelu}. */
export function geluOp(rt: ReferenceRuntime, x: Tensor, approximate: 'tanh' | 'erf'): Tensor {
  if (approximate !== 'tanh' && approximate !== 'erf') throw new BackendError('gelu', `approximate must be 'tanh' or 'erf', got ${String(approximate)}`);
  return unaryOp(rt, approximate === 'tanh' ? 'geluTanh' : 'geluErf', x, 'gelu');
}

/** {@link Backend.where}: `cond` is int32 (non-zero is true); all three broadcast. */
export function whereOp(rt: ReferenceRuntime, cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const tc = rt.read('where', cond, 'cond');
  const ta = rt.read('where', a, 'a');
  const tb = rt.read('where', b, 'b');
  if (tc.dtype !== 'int32') throw new BackendError('where', `cond must be int32, got ${tc.dtype}${fmt(tc.shape)}; cast it first`);
  const outShape = broadcastShapes('where', broadcastShapes('where', tc.shape, ta.shape), tb.shape);
  const dtype: TensorDType = ta.dtype === 'int32' && tb.dtype === 'int32' ? 'int32' : 'float32';
  const n = sizeOf(outShape);
  const out = alloc(dtype, n);
  const [vc, va, vb] = [tc.valuesFor('where'), ta.valuesFor('where'), tb.valuesFor('where')];
  const [mc, ma, mb] = [broadcastIndexMap(tc.shape, outShape), broadcastIndexMap(ta.shape, outShape), broadcastIndexMap(tb.shape, outShape)];
  for (let i = 0; i < n; i++) {
    out[i] = vc[mc ? mc[i] : i] !== 0 ? va[ma ? ma[i] : i] : vb[mb ? mb[i] : i];
  }
  return rt.create(out, outShape, dtype);
}

/** {@link Backend.swiglu}: `silu(gate) * up`, same shapes (no broadcasting). */
export function swigluOp(rt: ReferenceRuntime, gate: Tensor, up: Tensor): Tensor {
  const tg = rt.read('swiglu', gate, 'gate');
  const tu = rt.read('swiglu', up, 'up');
  if (tg.shape.length !== tu.shape.length || tg.shape.some((d, i) => d !== tu.shape[i])) {
    throw new BackendError('swiglu', `gate${fmt(tg.shape)} and up${fmt(tu.shape)} must have the same shape (no broadcasting)`);
  }
  const [vg, vu] = [tg.valuesFor('swiglu'), tu.valuesFor('swiglu')];
  const out = alloc('float32', vg.length);
  for (let i = 0; i < vg.length; i++) out[i] = UNARY.silu(vg[i]) * vu[i];
  return rt.create(out, tg.shape, 'float32');
}
