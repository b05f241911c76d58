import { BackendError, type Tensor, type TensorDType } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { Tf, TfTensor } from '../runtime/tf-types.js';
import { broadcastShapes, bytesOf, fmt } from './shape-utils.js';

/** Binary elementwise ops. `div` always yields float32; the others yield int32 when both operands are int32. */
export type BinaryOpName = 'add' | 'sub' | 'mul' | 'div' | 'maximum';

/** Unary elementwise ops. `neg` and `square` keep int32; the others compute in float32. */
export type UnaryOpName = 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'silu' | 'sigmoid' | 'tanh';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const BINARY: Record<BinaryOpName, (tf: Tf, a: TfTensor, b: TfTensor) => TfTensor> = {
  add: (tf, a, b) => tf.add(a, b),
  sub: (tf, a, b) => tf.sub(a, b),
  mul: (tf, a, b) => tf.mul(a, b),
  div: (tf, a, b) => tf.div(a, b),
  maximum: (tf, a, b) => tf.maximum(a, b),
};

const UNARY: Record<UnaryOpName, (tf: Tf, x: TfTensor) => TfTensor> = {
  neg: (tf, x) => tf.neg(x),
  exp: (tf, x) => tf.exp(x),
  log: (tf, x) => tf.log(x),
  sqrt: (tf, x) => tf.sqrt(x),
  rsqrt: (tf, x) => tf.rsqrt(x),
  square: (tf, x) => tf.square(x),
  silu: (tf, x) => tf.mul(x, tf.sigmoid(x)),
  sigmoid: (tf, x) => tf.sigmoid(x),
  tanh: (tf, x) => tf.tanh(x),
};

/** `x` converted to `dtype` when it differs (inside a run). */
export function as(tf: Tf, x: TfTensor, dtype: TensorDType): TfTensor {
  return x.dtype === dtype ? x : tf.cast(x, dtype);
}

/** A binary op with NumPy broadcasting; a number `b` is int32 when `a` is int32 and `b` is an integer. */
export function binaryOp(rt: TfjsRuntime, op: BinaryOpName, a: Tensor, b: Tensor | number): Tensor {
  rt.check(op, a, 'a');
  let bShape: readonly number[] = [];
  let bType: TensorDType;
  if (typeof b === 'number') {
    bType = a.dtype === 'int32' && Number.isInteger(b) ? 'int32' : 'float32';
  } else {
    rt.check(op, b, 'b');
    bShape = b.shape;
    bType = b.dtype;
  }
  const shape = broadcastShapes(op, a.shape, bShape);
  const dtype: TensorDType = op !== 'div' && a.dtype === 'int32' && bType === 'int32' ? 'int32' : 'float32';
  const tf = rt.tf;
  return rt.run(op, { out: bytesOf(shape), inputs: [a, b] }, () => {
    const ta = as(tf, rt.unwrap(a), dtype);
    const tb = typeof b === 'number' ? tf.scalar(b, dtype) : as(tf, rt.unwrap(b), dtype);
    return BINARY[op](tf, ta, tb);
  }) as unknown as Tensor;
}

/** A unary op. */
export function unaryOp(rt: TfjsRuntime, op: UnaryOpName, x: Tensor): Tensor {
  rt.check(op, x);
  const dtype: TensorDType = (op === 'neg' || op === 'square') && x.dtype === 'int32' ? 'int32' : 'float32';
  return rt.run(op, { out: bytesOf(x.shape), inputs: [x] }, () => UNARY[op](rt.tf, as(rt.tf, rt.unwrap(x), dtype))) as unknown as Tensor;
}

/**
 * `Backend.gelu`. tfjs has no GELU kernel, so both forms are composed: `tanh` as in `gelu_pytorch_tanh`, `erf` as
 * `0.5 x (1 + erf(x / sqrt 2))` with tfjs's Erf kernel (wasm: about 1e-8 from the true erf; JS: Abramowitz-Stegun
 * 7.1.26, at most 1.5e-7).
 */
export function geluOp(rt: TfjsRuntime, x: Tensor, approximate: 'tanh' | 'erf'): Tensor {
  rt.check('gelu', x);
  if (approximate !== 'tanh' && approximate !== 'erf') throw new BackendError('gelu', `approximate must be 'tanh' or 'erf', got ${String(approximate)}`);
  const tf = rt.tf;
  return rt.run('gelu', { out: bytesOf(x.shape), extra: 2 * bytesOf(x.shape), inputs: [x] }, () => {
    const v = as(tf, rt.unwrap(x), 'float32');
    const inner =
      approximate === 'tanh' ? tf.tanh(tf.mul(tf.add(v, tf.mul(tf.mul(tf.mul(v, v), v), 0.044715)), SQRT_2_OVER_PI)) : tf.erf(tf.mul(v, Math.SQRT1_2));
    return tf.mul(tf.mul(v, 0.5), tf.add(inner, 1));
  }) as unknown as Tensor;
}

/** `Backend.where`: `cond` is int32 (non-zero is true); all three broadcast; int32 only when `a` and `b` both are. */
export function whereOp(rt: TfjsRuntime, cond: Tensor, a: Tensor, b: Tensor): Tensor {
  rt.check('where', cond, 'cond');
  rt.check('where', a, 'a');
  rt.check('where', b, 'b');
  if (cond.dtype !== 'int32') throw new BackendError('where', `cond must be int32, got ${cond.dtype}${fmt(cond.shape)}; cast it first`);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const dtype: TensorDType = a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32';
  const tf = rt.tf;
  return rt.run('where', { out: bytesOf(shape), extra: 3 * bytesOf(shape), inputs: [cond, a, b] }, () => {
    const mask = tf.notEqual(rt.unwrap(cond), tf.scalar(0, 'int32'));
    const full = (t: TfTensor) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.broadcastTo(t, shape));
    return tf.where(full(mask), full(as(tf, rt.unwrap(a), dtype)), full(as(tf, rt.unwrap(b), dtype)));
  }) as unknown as Tensor;
}

/** `Backend.swiglu`: `silu(gate) * up` in one run (tfjs has no fused kernel; the values equal `silu` then `mul`). */
export function swigluOp(rt: TfjsRuntime, gate: Tensor, up: Tensor): Tensor {
  rt.check('swiglu', gate, 'gate');
  rt.check('swiglu', up, 'up');
  if (gate.shape.length !== up.shape.length || gate.shape.some((d, i) => d !== up.shape[i])) {
    throw new BackendError('swiglu', `gate${fmt(gate.shape)} and up${fmt(up.shape)} must have the same shape (no broadcasting)`);
  }
  const tf = rt.tf;
  return rt.run('swiglu', { out: bytesOf(gate.shape), extra: 2 * bytesOf(gate.shape), inputs: [gate, up] }, () => {
    const g = as(tf, rt.unwrap(gate), 'float32');
    return tf.mul(UNARY.silu(tf, g), as(tf, rt.unwrap(up), 'float32'));
  }) as unknown as Tensor;
}
