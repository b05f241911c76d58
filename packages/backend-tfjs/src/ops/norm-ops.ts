import { BackendError, type Tensor } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import { as } from './elementwise-ops.js';
import { bytesOf, fmt } from './shape-utils.js';

function checkParam(op: string, x: Tensor, p: Tensor, name: string): void {
  const dim = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || p.shape.length !== 1 || p.shape[0] !== dim) {
    throw new BackendError(op, `${name} ${fmt(p.shape)} must be [${dim ?? '?'}] to match the last axis of x ${fmt(x.shape)}`);
  }
}

function checkEps(op: string, eps: number): void {
  if (typeof eps !== 'number' || !(eps >= 0)) throw new BackendError(op, `eps must be a non-negative number, got ${String(eps)}`);
}

/** `Backend.rmsNorm`: `x / sqrt(mean(x^2, -1) + eps) * weight`, in float32. */
export function rmsNormOp(rt: TfjsRuntime, x: Tensor, weight: Tensor, eps: number): Tensor {
  rt.check('rmsNorm', x, 'x');
  rt.check('rmsNorm', weight, 'weight');
  checkParam('rmsNorm', x, weight, 'weight');
  checkEps('rmsNorm', eps);
  const tf = rt.tf;
  return rt.run('rmsNorm', { out: bytesOf(x.shape), extra: 2 * bytesOf(x.shape), inputs: [x, weight] }, () => {
    const v = as(tf, rt.unwrap(x), 'float32');
    const inv = tf.rsqrt(tf.add(tf.mean(tf.square(v), -1, true), eps));
    return tf.mul(tf.mul(v, inv), as(tf, rt.unwrap(weight), 'float32'));
  }) as unknown as Tensor;
}

/** `Backend.layerNorm`: `(x - mean) / sqrt(var + eps) * weight + bias` over the last axis (biased variance). */
export function layerNormOp(rt: TfjsRuntime, x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
  rt.check('layerNorm', x, 'x');
  rt.check('layerNorm', weight, 'weight');
  rt.check('layerNorm', bias, 'bias');
  checkParam('layerNorm', x, weight, 'weight');
  checkParam('layerNorm', x, bias, 'bias');
  checkEps('layerNorm', eps);
  const tf = rt.tf;
  return rt.run('layerNorm', { out: bytesOf(x.shape), extra: 3 * bytesOf(x.shape), inputs: [x, weight, bias] }, () => {
    const v = as(tf, rt.unwrap(x), 'float32');
    const centered = tf.sub(v, tf.mean(v, -1, true));
    const inv = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
    return tf.add(tf.mul(tf.mul(centered, inv), as(tf, rt.unwrap(weight), 'float32')), as(tf, rt.unwrap(bias), 'float32'));
  }) as unknown as Tensor;
}
