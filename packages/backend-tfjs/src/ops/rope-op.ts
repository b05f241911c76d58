import { BackendError, type RopeLayout, type Tensor } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { as } from './elementwise-ops.js';
import { bytesOf, fmt } from './shape-utils.js';

/**
 * `Backend.rope`: `x [batch, seq, heads, headDim]`, `cos`/`sin` `[batch or 1, seq, rotaryDim / 2]`.
 * `half` rotates pairs `(i, i + rotaryDim/2)`, `interleaved` pairs `(2i, 2i + 1)`; features past `rotaryDim` pass through.
 */
export function ropeOp(rt: TfjsRuntime, x: Tensor, cos: Tensor, sin: Tensor, layout: RopeLayout): Tensor {
  rt.check('rope', x, 'x');
  rt.check('rope', cos, 'cos');
  rt.check('rope', sin, 'sin');
  if (layout !== 'half' && layout !== 'interleaved') throw new BackendError('rope', `layout must be 'half' or 'interleaved', got ${String(layout)}`);
  if (x.shape.length !== 4) throw new BackendError('rope', `x must be [batch, seq, heads, headDim], got ${fmt(x.shape)}`);
  const [batch, seq, heads, headDim] = x.shape;
  const sameTables = cos.shape.length === 3 && sin.shape.length === 3 && cos.shape.every((d, i) => d === sin.shape[i]);
  const pairs = cos.shape[2];
  if (!sameTables || (cos.shape[0] !== batch && cos.shape[0] !== 1) || cos.shape[1] !== seq || 2 * pairs > headDim) {
    throw new BackendError(
      'rope',
      `cos ${fmt(cos.shape)} and sin ${fmt(sin.shape)} must both be [${batch} or 1, ${seq}, rotaryDim/2 <= ${headDim / 2}] for x ${fmt(x.shape)}`,
    );
  }
  const tf = rt.tf;
  const rot = 2 * pairs;
  return rt.run('rope', { out: bytesOf(x.shape), extra: 4 * bytesOf(x.shape), inputs: [x, cos, sin] }, () => {
    const v = as(tf, rt.unwrap(x), 'float32');
    const c = tf.reshape(as(tf, rt.unwrap(cos), 'float32'), [cos.shape[0], seq, 1, pairs]); // [b|1, seq, 1, pairs]
    const s = tf.reshape(as(tf, rt.unwrap(sin), 'float32'), [cos.shape[0], seq, 1, pairs]);
    let a: TfTensor;
    let b: TfTensor;
    if (layout === 'half') {
      a = tf.slice(v, [0, 0, 0, 0], [batch, seq, heads, pairs]);
      b = tf.slice(v, [0, 0, 0, pairs], [batch, seq, heads, pairs]);
    } else {
      const paired = tf.reshape(tf.slice(v, [0, 0, 0, 0], [batch, seq, heads, rot]), [batch, seq, heads, pairs, 2]);
      a = tf.reshape(tf.slice(paired, [0, 0, 0, 0, 0], [batch, seq, heads, pairs, 1]), [batch, seq, heads, pairs]);
      b = tf.reshape(tf.slice(paired, [0, 0, 0, 0, 1], [batch, seq, heads, pairs, 1]), [batch, seq, heads, pairs]);
    }
    const ra = tf.sub(tf.mul(a, c), tf.mul(b, s)); // a cos - b sin
    const rb = tf.add(tf.mul(b, c), tf.mul(a, s)); // b cos + a sin
    const rotated = layout === 'half' ? tf.concat([ra, rb], 3) : tf.reshape(tf.stack([ra, rb], 4), [batch, seq, heads, rot]);
    if (rot === headDim) return rotated;
    return tf.concat([rotated, tf.slice(v, [0, 0, 0, rot], [batch, seq, heads, headDim - rot])], 3);
  }) as unknown as Tensor;
}

/**
 * `Backend.ropePositions`: the tables `cos/sin(positions[b, s] * inverseFrequencies[i])` (angles in float32), then
 * {@link ropeOp}. `positions` int32 `[batch or 1, seq]`, `inverseFrequencies` `[rotaryDim / 2]`.
 */
export function ropePositionsOp(rt: TfjsRuntime, x: Tensor, positions: Tensor, inverseFrequencies: Tensor, layout: RopeLayout): Tensor {
  rt.check('ropePositions', positions, 'positions');
  rt.check('ropePositions', inverseFrequencies, 'inverseFrequencies');
  rt.check('ropePositions', x, 'x');
  const bad = positions.dtype !== 'int32' || positions.shape.length !== 2 || inverseFrequencies.shape.length !== 1 || x.shape.length !== 4;
  if (
    bad ||
    (positions.shape[0] !== 1 && positions.shape[0] !== x.shape[0]) ||
    positions.shape[1] !== x.shape[1] ||
    2 * inverseFrequencies.shape[0] > x.shape[3]
  ) {
    throw new BackendError(
      'ropePositions',
      `positions must be int32 [batch or 1, seq] and inverseFrequencies [pairs <= headDim / 2] for x [batch, seq, heads, headDim]; got ${positions.dtype} ${fmt(positions.shape)}, ${fmt(inverseFrequencies.shape)}, ${fmt(x.shape)}`,
    );
  }
  const tf = rt.tf;
  const [rows, seq] = positions.shape;
  const pairs = inverseFrequencies.shape[0];
  const tableBytes = bytesOf([rows, seq, pairs]);
  const [cos, sin] = rt.run('ropePositions', { out: 2 * tableBytes, extra: tableBytes, inputs: [positions, inverseFrequencies] }, () => {
    const p = tf.reshape(as(tf, rt.unwrap(positions), 'float32'), [rows, seq, 1]);
    const angles = tf.mul(p, tf.reshape(as(tf, rt.unwrap(inverseFrequencies), 'float32'), [1, 1, pairs])); // [rows, seq, pairs]
    return [tf.cos(angles), tf.sin(angles)];
  }) as unknown as [Tensor, Tensor];
  try {
    return ropeOp(rt, x, cos, sin, layout);
  } finally {
    cos.dispose();
    sin.dispose();
  }
}
