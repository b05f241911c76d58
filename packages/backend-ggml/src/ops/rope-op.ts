import { BackendError, type RopeLayout, type Tensor } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import type { NativePointer } from '../runtime/ggml-api.js';
import { asNode, fmt } from './op-support.js';

/**
 * Rotary embedding from explicit `cos`/`sin` tables, composed of views, multiplies and concats so any positions
 * (mrope, padding offsets) work. `x` is `[batch, seq, heads, headDim]` (ggml `[headDim, heads, seq, batch]`), the
 * tables `[batch or 1, seq, pairs]`, viewed as `[pairs, 1, seq * batch]`-broadcastable factors.
 */
export function ropeOp(rt: GraphRuntime, a: Tensor, cosT: Tensor, sinT: Tensor, layout: RopeLayout): GraphNode {
  const x = asNode('rope', a);
  const cos = asNode('rope', cosT);
  const sin = asNode('rope', sinT);
  if (x.shape.length !== 4) throw new BackendError('rope', `x must be [batch, seq, heads, headDim], got ${fmt(x.shape)}`);
  const [batch, seq, heads, dim] = x.shape;
  const pairs = cos.shape[2];
  const tableOk = (t: GraphNode) => t.shape.length === 3 && (t.shape[0] === 1 || t.shape[0] === batch) && t.shape[1] === seq && t.shape[2] === pairs;
  if (!tableOk(cos) || !tableOk(sin) || cos.shape[0] !== sin.shape[0] || 2 * pairs > dim) {
    throw new BackendError('rope', `cos ${fmt(cos.shape)} and sin ${fmt(sin.shape)} must be [${batch} or 1, ${seq}, pairs <= ${dim / 2}] for x ${fmt(x.shape)}`);
  }
  const tb = cos.shape[0];
  return rt.node('rope', {
    shape: x.shape,
    dtype: 'float32',
    inputs: [x, cos, sin],
    recipe: {
      emit: (e, [px, pc, ps]) => {
        const { api, ctx } = e;
        const X = e.cont(e.f32(px, x.ggmlType));
        const rows = seq * batch;
        const bytes = 4;
        const view = (ne0: number, step: number, offset: number) =>
          // [ne0 of each pair group, pairs, heads, seq * batch] inside the contiguous [dim, heads, seq, batch]
          api.ggml_view_4d(ctx, X, ne0, pairs, heads, rows, step * bytes, dim * bytes, heads * dim * bytes, offset * bytes);
        const table = (t: NativePointer, n: GraphNode) => e.reshape(e.f32(t, n.ggmlType), [1, pairs, 1, seq * tb]);
        const [c, s] = [table(pc, cos), table(ps, sin)];
        const [first, second] = layout === 'half' ? [view(1, 1, 0), view(1, 1, pairs)] : [view(1, 2, 0), view(1, 2, 1)];
        const rot = (p: NativePointer, q: NativePointer, sign: 1 | -1): NativePointer => {
          const pc2 = api.ggml_mul(ctx, e.cont(p), c);
          const qs = api.ggml_mul(ctx, e.cont(q), s);
          return sign < 0 ? api.ggml_sub(ctx, pc2, qs) : api.ggml_add(ctx, pc2, qs);
        };
        const o1 = rot(first, second, -1); // [1, pairs, heads, rows]
        const o2 = rot(second, first, 1);
        const joined = layout === 'half'
          ? api.ggml_concat(ctx, e.reshape(o1, [pairs, heads, rows, 1]), e.reshape(o2, [pairs, heads, rows, 1]), 0)
          : e.reshape(api.ggml_concat(ctx, o1, o2, 0), [2 * pairs, heads, rows, 1]);
        let out = joined;
        if (2 * pairs < dim) {
          const rest = api.ggml_view_4d(ctx, X, dim - 2 * pairs, heads, rows, 1, dim * bytes, heads * dim * bytes, heads * dim * rows * bytes, 2 * pairs * bytes);
          out = api.ggml_concat(ctx, joined, e.cont(rest), 0);
        }
        return e.reshape(out, [dim, heads, seq, batch]);
      },
    },
  });
}
