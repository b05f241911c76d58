import { BackendError, type Tensor, type TensorDType } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { bytesOf, fmt, normalizeAxis, sizeOf } from './shape-utils.js';

const out = (t: TfTensor) => t as unknown as Tensor;

/** `Backend.reshape`: one dimension may be -1. */
export function reshapeOp(rt: TfjsRuntime, x: Tensor, shape: readonly number[]): Tensor {
  rt.check('reshape', x);
  const size = sizeOf(x.shape);
  if (!Array.isArray(shape)) throw new BackendError('reshape', `target shape must be an array, got ${String(shape)}`);
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new BackendError('reshape', `invalid target shape ${fmt(shape)} for ${fmt(x.shape)}: dimensions must be >= 0, at most one -1`);
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  let target = [...shape];
  if (inferred === 1) {
    if (known === 0 || size % known !== 0) throw new BackendError('reshape', `cannot infer -1 in ${fmt(shape)} for ${fmt(x.shape)} (${size} elements)`);
    target = shape.map((d) => (d === -1 ? size / known : d));
  }
  if (sizeOf(target) !== size) throw new BackendError('reshape', `cannot reshape ${fmt(x.shape)} (${size} elements) to ${fmt(shape)}`);
  return out(rt.run('reshape', { out: 0, inputs: [x] }, () => rt.tf.reshape(rt.unwrap(x), target)));
}

/** `Backend.transpose`: `perm` is a permutation of the axes (negative axes allowed). */
export function transposeOp(rt: TfjsRuntime, x: Tensor, perm: readonly number[]): Tensor {
  rt.check('transpose', x);
  const rank = x.shape.length;
  const axes = Array.isArray(perm) ? perm.map((p) => (Number.isInteger(p) && p >= -rank && p < rank ? (p < 0 ? p + rank : p) : -1)) : [];
  if (axes.length !== rank || axes.includes(-1) || new Set(axes).size !== rank) {
    throw new BackendError('transpose', `perm ${Array.isArray(perm) ? fmt(perm) : String(perm)} is not a permutation of the axes of ${fmt(x.shape)}`);
  }
  return out(rt.run('transpose', { out: bytesOf(x.shape), inputs: [x] }, () => rt.tf.transpose(rt.unwrap(x), axes)));
}

/** `Backend.concat`: same rank and dtype, equal dimensions except along `axis`. */
export function concatOp(rt: TfjsRuntime, xs: readonly Tensor[], axis: number): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new BackendError('concat', 'needs at least one tensor');
  (xs as readonly Tensor[]).forEach((x, i) => rt.check('concat', x, `xs[${i}]`));
  const first = xs[0];
  const rank = first.shape.length;
  const ax = normalizeAxis('concat', axis, rank, first.shape);
  for (const t of xs as readonly Tensor[]) {
    const same = t.shape.length === rank && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!same) throw new BackendError('concat', `shapes ${xs.map((u) => fmt(u.shape)).join(', ')} differ outside axis ${axis}`);
    if (t.dtype !== first.dtype) throw new BackendError('concat', `dtypes differ (${xs.map((u) => u.dtype).join(', ')}); cast first`);
  }
  const shape = [...first.shape];
  shape[ax] = xs.reduce((s, t) => s + t.shape[ax], 0);
  return out(
    rt.run('concat', { out: bytesOf(shape), inputs: xs }, () =>
      rt.tf.concat(
        xs.map((t) => rt.unwrap(t)),
        ax,
      ),
    ),
  );
}

/** `Backend.slice`: `size[i] = -1` means to the end. */
export function sliceOp(rt: TfjsRuntime, x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  rt.check('slice', x);
  const rank = x.shape.length;
  if (!Array.isArray(begin) || !Array.isArray(size) || begin.length !== rank || size.length !== rank) {
    throw new BackendError(
      'slice',
      `begin ${String(begin && fmt(begin))} and size ${String(size && fmt(size))} must both have rank ${rank} for ${fmt(x.shape)}`,
    );
  }
  const shape = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  for (let i = 0; i < rank; i++) {
    const ok = Number.isInteger(begin[i]) && Number.isInteger(shape[i]) && begin[i] >= 0 && shape[i] >= 0 && begin[i] + shape[i] <= x.shape[i];
    if (!ok) throw new BackendError('slice', `begin ${fmt(begin)} size ${fmt(size)} is out of bounds for ${fmt(x.shape)} (axis ${i})`);
  }
  return out(rt.run('slice', { out: bytesOf(shape), inputs: [x] }, () => rt.tf.slice(rt.unwrap(x), [...begin], shape)));
}

/** `Backend.cast`: float32 to int32 truncates toward zero. */
export function castOp(rt: TfjsRuntime, x: Tensor, dtype: TensorDType): Tensor {
  rt.check('cast', x);
  if (dtype !== 'float32' && dtype !== 'int32') throw new BackendError('cast', `unsupported dtype ${String(dtype)}; use 'float32' or 'int32'`);
  return out(rt.run('cast', { out: bytesOf(x.shape), inputs: [x] }, () => rt.tf.cast(rt.unwrap(x), dtype)));
}
