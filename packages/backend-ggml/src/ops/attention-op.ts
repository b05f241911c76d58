import { BackendError, type AttentionOptions, type Tensor } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import type { Emitter } from '../graph/emitter.js';
import { GGML_TYPE, type NativePointer } from '../runtime/ggml-api.js';
import { repeatTo } from './ggml-helpers.js';
import { asNode, broadcastShapes, fmt } from './op-support.js';

/** True for the float types `mul_mat` takes as its first operand with float32 activations. */
function plainFloat(type: number): boolean {
  return type === GGML_TYPE.F32 || type === GGML_TYPE.F16;
}

/** True when each row (ggml dimension 0) of `t` is contiguous, whatever the strides of the other dimensions. */
function rowsContiguous(e: Emitter, t: NativePointer): boolean {
  return e.api.ggml_is_contiguous_rows(t);
}

/**
 * Scaled dot-product attention as `mul_mat` → `soft_max_ext` (scale and additive mask fused) → `mul_mat`.
 * ggml's `mul_mat` broadcasts KV heads over query heads as `h / (heads / kvHeads)`, which is the spec's GQA rule.
 */
export function attentionOp(rt: GraphRuntime, qT: Tensor, kT: Tensor, vT: Tensor, options: AttentionOptions): GraphNode {
  const q = asNode('attention', qT);
  const k = asNode('attention', kT);
  const v = asNode('attention', vT);
  const mask = options.mask === undefined ? undefined : asNode('attention', options.mask);
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) throw new BackendError('attention', `q, k, v must be rank 4, got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
  const [batch, heads, queryLen, headDim] = q.shape;
  const [kb, kvHeads, keyLen, kd] = k.shape;
  const [vb, vh, vl, valueDim] = v.shape;
  if (kb !== batch || vb !== batch || kd !== headDim || vh !== kvHeads || vl !== keyLen || heads % kvHeads !== 0) {
    throw new BackendError('attention', `incompatible q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)} (heads must be a multiple of kvHeads)`);
  }
  const scoreShape = [batch, heads, queryLen, keyLen];
  if (mask) broadcastShapes('attention', mask.shape, scoreShape);
  const shape = [batch, heads, queryLen, valueDim];
  return rt.node('attention', {
    shape,
    dtype: 'float32',
    inputs: mask ? [q, k, v, mask] : [q, k, v],
    recipe: {
      key: `${options.scale}`,
      emit: (e, [pq, pk, pv, pm]) => {
        const { api, ctx } = e;
        // F32/F16 keys are read in place through their strides (a KV cache view); mul_mat needs only whole rows.
        const keys = plainFloat(k.ggmlType) && rowsContiguous(e, pk) ? pk : e.cont(e.f32(pk, k.ggmlType));
        const scores = api.ggml_mul_mat(ctx, keys, e.cont(e.f32(pq, q.ggmlType))); // [keyLen, queryLen, heads, batch]
        let m = null;
        if (mask && pm !== undefined) {
          const ms = [...new Array(4 - mask.shape.length).fill(1), ...mask.shape];
          const target = [ms[0], ms[1], queryLen, keyLen];
          m = e.cont(repeatTo(e, e.reshape(e.f32(pm, mask.ggmlType), toNe(ms)), ms, target));
        }
        const probs = api.ggml_soft_max_ext(ctx, scores, m, options.scale, 0);
        const values = plainFloat(v.ggmlType) ? pv : e.f32(pv, v.ggmlType);
        // values stored with the sequence innermost (a KV cache's values) are already rows of keyLen: no copy
        const turned = api.ggml_permute(ctx, values, 1, 0, 2, 3); // [keyLen, valueDim, kvHeads, batch]
        const vt = plainFloat(v.ggmlType) && rowsContiguous(e, turned) ? turned : e.cont(turned);
        return api.ggml_mul_mat(ctx, vt, probs); // [valueDim, queryLen, heads, batch]
      },
    },
  });
}
