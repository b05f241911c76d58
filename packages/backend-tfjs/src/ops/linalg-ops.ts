import { BackendError, type Tensor } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { HostWeight } from '../weights/host-weight.js';
import { ResidentWeight } from '../weights/resident-weight.js';
import { as } from './elementwise-ops.js';
import { matmulCore, WASM_SPLIT_MIN_ROWS } from './matmul-core.js';
import { broadcastShapes, bytesOf, fmt, sizeOf } from './shape-utils.js';

/** `Backend.matmul`: `[..., m, k] x [..., k, n]`, batch dims broadcast, optional transposes of the last two axes. */
export function matmulOp(rt: TfjsRuntime, a: Tensor, b: Tensor, options: { transposeA?: boolean; transposeB?: boolean } = {}): Tensor {
  rt.check('matmul', a, 'a');
  rt.check('matmul', b, 'b');
  const [ra, rb] = [a.shape.length, b.shape.length];
  if (ra < 2 || rb < 2) throw new BackendError('matmul', `both inputs need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const transA = options?.transposeA === true;
  const transB = options?.transposeB === true;
  const [a0, a1] = [a.shape[ra - 2], a.shape[ra - 1]];
  const [b0, b1] = [b.shape[rb - 2], b.shape[rb - 1]];
  const [m, k] = transA ? [a1, a0] : [a0, a1];
  const [kb, n] = transB ? [b1, b0] : [b0, b1];
  if (k !== kb) {
    throw new BackendError('matmul', `inner dimensions differ: ${fmt(a.shape)}${transA ? '^T' : ''} x ${fmt(b.shape)}${transB ? '^T' : ''} (${k} vs ${kb})`);
  }
  const shape = [...broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const copies = 2 * (bytesOf(a.shape) + bytesOf(b.shape)); // transposed / broadcast operands and packed copies
  return rt.run('matmul', { out: bytesOf(shape), extra: copies, inputs: [a, b] }, () =>
    matmulCore(rt.tf, rt.engine.traits, as(rt.tf, rt.unwrap(a), 'float32'), as(rt.tf, rt.unwrap(b), 'float32'), transA, transB),
  ) as unknown as Tensor;
}

/**
 * `Backend.linear`: `x [..., in] @ weight[out, in]^T + bias[out]`. A weight stored `[in, out]` multiplies directly;
 * a host-compact weight is decoded to a temporary float32 matrix first, in the layout that is fastest for the row count.
 */
export function linearOp(rt: TfjsRuntime, x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  rt.check('linear', x, 'x');
  rt.check('linear', weight, 'weight');
  if (bias !== undefined) rt.check('linear', bias, 'bias');
  if (x.shape.length < 1 || weight.shape.length !== 2 || x.shape[x.shape.length - 1] !== weight.shape[1]) {
    throw new BackendError('linear', `x ${fmt(x.shape)} needs last dimension equal to in of weight [out, in] ${fmt(weight.shape)}`);
  }
  const [outF, inF] = weight.shape;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new BackendError('linear', `bias ${fmt(bias.shape)} must be [${outF}] for weight ${fmt(weight.shape)}`);
  }
  const rows = sizeOf(x.shape.slice(0, -1));
  const shape = [...x.shape.slice(0, -1), outF];
  const traits = rt.engine.traits;
  const stored = weight instanceof ResidentWeight && weight.layout === 'transposed';
  const temp = stored ? 0 : bytesOf(weight.shape) * (traits.packsMatmulOperand ? 2 : 1);
  const tf = rt.tf;
  return rt.run('linear', { out: bytesOf(shape), extra: temp + bytesOf([rows, inF]), inputs: [x, bias] }, () => {
    const x2 = tf.reshape(as(tf, rt.unwrap(x), 'float32'), [rows, inF]);
    let y: TfTensor;
    if (weight instanceof ResidentWeight && weight.layout === 'transposed') {
      y = matmulCore(tf, traits, x2, as(tf, weight.stored, 'float32'));
    } else if (weight instanceof HostWeight) {
      // a fresh matrix each call: XNNPACK's packing only pays off for enough rows (see WASM_SPLIT_MIN_ROWS)
      const inOut = traits.linearLayout === 'inOut' && (!traits.slowBatchedMatmul || rows >= WASM_SPLIT_MIN_ROWS);
      const w = tf.tensor(weight.decode(inOut ? 'transposed' : 'logical'), inOut ? [inF, outF] : [outF, inF], 'float32');
      y = matmulCore(tf, traits, x2, w, false, !inOut);
    } else {
      y = matmulCore(tf, traits, x2, as(tf, rt.unwrap(weight), 'float32'), false, true);
    }
    if (bias) y = tf.add(y, as(tf, rt.unwrap(bias), 'float32'));
    return tf.reshape(y, shape);
  }) as unknown as Tensor;
}
