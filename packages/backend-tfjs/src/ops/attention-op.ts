import { BackendError, type AttentionOptions, type Tensor } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import { as } from './elementwise-ops.js';
import { matmulCore } from './matmul-core.js';
import { broadcastShapes, bytesOf, fmt, sameShape } from './shape-utils.js';

/**
 * `Backend.attention`: `softmax(scale * q k^T + mask) v`, query head `h` reading KV head `floor(h / group)`.
 *
 * Grouped heads need no copies of K and V: q `[batch, heads, queryLen, d]` is viewed as
 * `[batch, kvHeads, group * queryLen, d]` (heads are `kvHead * group + g`), so each KV head meets all its query heads
 * in one product.
 */
export function attentionOp(rt: TfjsRuntime, q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
  rt.check('attention', q, 'q');
  rt.check('attention', k, 'k');
  rt.check('attention', v, 'v');
  const mask = options?.mask;
  if (mask !== undefined) rt.check('attention', mask, 'mask');
  const shapes = `q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)}${mask ? `, mask ${fmt(mask.shape)}` : ''}`;
  if (typeof options?.scale !== 'number') throw new BackendError('attention', 'options.scale must be a number');
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) throw new BackendError('attention', `inputs must be rank 4: ${shapes}`);
  const [batch, heads, queryLen, headDim] = q.shape;
  const [kb, kvHeads, keyLen, kd] = k.shape;
  const [vb, vh, vl, valueDim] = v.shape;
  const consistent = kb === batch && vb === batch && kd === headDim && vh === kvHeads && vl === keyLen;
  if (!consistent || kvHeads === 0 || heads % kvHeads !== 0) {
    throw new BackendError('attention', `shapes do not match (batch, heads a multiple of kvHeads, headDim, keyLen): ${shapes}`);
  }
  const scoreShape = [batch, heads, queryLen, keyLen];
  let mask4: number[] | undefined;
  if (mask) {
    if (mask.shape.length > 4 || !sameShape(broadcastShapes('attention', mask.shape, scoreShape), scoreShape)) {
      throw new BackendError('attention', `mask must broadcast to [batch, heads, queryLen, keyLen] = ${fmt(scoreShape)}: ${shapes}`);
    }
    mask4 = [...new Array<number>(4 - mask.shape.length).fill(1), ...mask.shape];
  }
  const group = heads / kvHeads;
  const rows = group * queryLen;
  const scores = bytesOf(scoreShape);
  const outShape = [batch, heads, queryLen, valueDim];
  const tf = rt.tf;
  const traits = rt.engine.traits;
  const request = { out: bytesOf(outShape), extra: 3 * scores + bytesOf(q.shape) + 2 * bytesOf(k.shape) + bytesOf(v.shape), inputs: [q, k, v, mask] };
  return rt.run('attention', request, () => {
    const qs = tf.mul(tf.reshape(as(tf, rt.unwrap(q), 'float32'), [batch, kvHeads, rows, headDim]), options.scale);
    let logits = matmulCore(tf, traits, qs, as(tf, rt.unwrap(k), 'float32'), false, true); // [b, kvHeads, group * q, keyLen]
    if (mask && mask4) {
      const [mb, mh, mq, mk] = mask4;
      // mask heads: 1 (shared) or heads = kvHeads * group
      const m5 = tf.reshape(as(tf, rt.unwrap(mask), 'float32'), mh === 1 ? [mb, 1, 1, mq, mk] : [mb, kvHeads, group, mq, mk]);
      const l5 = tf.add(tf.reshape(logits, [batch, kvHeads, group, queryLen, keyLen]), m5);
      logits = tf.reshape(l5, [batch, kvHeads, rows, keyLen]);
    }
    const probs = tf.softmax(logits);
    const out = matmulCore(tf, traits, probs, as(tf, rt.unwrap(v), 'float32')); // [b, kvHeads, group * q, valueDim]
    return tf.reshape(out, outShape);
  }) as unknown as Tensor;
}
