import type { Tensor } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import type { ReferenceTensor } from './reference-tensor.js';
import { fmt } from './shape-utils.js';

function checkParam(op: string, x: ReferenceTensor, p: ReferenceTensor, name: string): void {
  const dim = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || p.shape.length !== 1 || p.shape[0] !== dim) {
    throw new BackendError(op, `${name} ${fmt(p.shape)} must be [${dim ?? '?'}] to match the last axis of x ${fmt(x.shape)}`);
  }
}

/** {@link Backend.rmsNorm}: `x / sqrt(mean(x^2, -1) + eps) * weight`. */
export function rmsNormOp(rt: ReferenceRuntime, x: Tensor, weight: Tensor, eps: number): Tensor {
  const tx = rt.read('rmsNorm', x, 'x');
  const tw = rt.read('rmsNorm', weight, 'weight');
  checkParam('rmsNorm', tx, tw, 'weight');
  const vx = tx.valuesFor('rmsNorm');
  const vw = tw.valuesFor('rmsNorm');
  const dim = tw.shape[0];
  const out = new Float64Array(vx.length);
  for (let base = 0; base < vx.length; base += dim) {
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += vx[base + j] * vx[base + j];
    const inv = 1 / Math.sqrt(sq / dim + eps);
    for (let j = 0; j < dim; j++) out[base + j] = vx[base + j] * inv * vw[j];
  }
  return rt.create(out, tx.shape, 'float32');
}

/** {@link Backend.layerNorm}: `(x - mean) / sqrt(var + eps) * weight + bias` over the last axis (biased variance). */
export function layerNormOp(rt: ReferenceRuntime, x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
  const tx = rt.read('layerNorm', x, 'x');
  const tw = rt.read('layerNorm', weight, 'weight');
  const tb = rt.read('layerNorm', bias, 'bias');
  checkParam('layerNorm', tx, tw, 'weight');
  checkParam('layerNorm', tx, tb, 'bias');
  const vx = tx.valuesFor('layerNorm');
  const vw = tw.valuesFor('layerNorm');
  const vb = tb.valuesFor('layerNorm');
  const dim = tw.shape[0];
  const out = new Float64Array(vx.length);
  for (let base = 0; base < vx.length; base += dim) {
    let mean = 0;
    for (let j = 0; j < dim; j++) mean += vx[base + j];
    mean /= dim;
    let variance = 0;
    for (let j = 0; j < dim; j++) variance += (vx[base + j] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / dim + eps);
    for (let j = 0; j < dim; j++) out[base + j] = (vx[base + j] - mean) * inv * vw[j] + vb[j];
  }
  return rt.create(out, tx.shape, 'float32');
}
