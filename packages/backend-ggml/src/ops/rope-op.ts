import { BackendError, type RopeLayout, type Tensor } from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import type { NativePointer } from '../runtime/ggml-api.js';
import { asNode, fmt } from './op-support.js';

/**
 * Per-feature factors `C` and `S` `[rotaryDim, 1, seq, batch or 1]` (ggml order) such that
 * `x' = x * C + rotate(x) * S`: `C` repeats each pair's cosine on both members, `S` is `-sin` on the first member and
 * `sin` on the second. Built once per graph and shared by every layer's rope.
 */
function factors(
  e: Emitter,
  cos: NativePointer,
  sin: NativePointer,
  layout: RopeLayout,
  pairs: number,
  seq: number,
  tb: number,
): [NativePointer, NativePointer] {
  const { api, ctx } = e;
  if (layout === 'half') {
    const c = e.reshape(cos, [pairs, 1, seq, tb]);
    const s = e.reshape(sin, [pairs, 1, seq, tb]);
    return [api.ggml_concat(ctx, c, c, 0), api.ggml_concat(ctx, api.ggml_neg(ctx, s), s, 0)];
  }
  const c = e.reshape(cos, [1, pairs, seq, tb]);
  const s = e.reshape(sin, [1, pairs, seq, tb]);
  const pairUp = (a: NativePointer, b: NativePointer) => e.reshape(api.ggml_concat(ctx, a, b, 0), [2 * pairs, 1, seq, tb]);
  return [pairUp(c, c), pairUp(api.ggml_neg(ctx, s), s)];
}

/**
 * Rotary embedding from explicit `cos`/`sin` tables: `x * C + rotate(x) * S` on the rotated features, where `rotate`
 * swaps the two members of each pair (halves for `half`, neighbours for `interleaved`) and `C`, `S` come from
 * {@link factors}. Works for any positions (mrope, padding offsets). `x` is `[batch, seq, heads, headDim]`
 * (ggml `[headDim, heads, seq, batch]`), the tables `[batch or 1, seq, pairs]`.
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
    throw new BackendError(
      'rope',
      `cos ${fmt(cos.shape)} and sin ${fmt(sin.shape)} must be [${batch} or 1, ${seq}, pairs <= ${dim / 2}] for x ${fmt(x.shape)}`,
    );
  }
  const tb = cos.shape[0];
  const rot = 2 * pairs;
  return rt.node('rope', {
    shape: x.shape,
    dtype: 'float32',
    inputs: [x, cos, sin],
    recipe: {
      key: layout,
      emit: (e, [px, pc, ps]) => {
        const { api, ctx } = e;
        const [C, S] = e.memo('rope', [cos, sin, layout], () => factors(e, e.f32(pc, cos.ggmlType), e.f32(ps, sin.ggmlType), layout, pairs, seq, tb));
        const X = e.cont(e.f32(px, x.ggmlType));
        const b = 4; // bytes per float
        const [nb1, nb2, nb3] = [dim * b, heads * dim * b, seq * heads * dim * b];
        const head = rot === dim ? X : e.cont(api.ggml_view_4d(ctx, X, rot, heads, seq, batch, nb1, nb2, nb3, 0)); // [rot, heads, seq, batch]
        let turned: NativePointer;
        if (layout === 'half') {
          const first = api.ggml_view_4d(ctx, X, pairs, heads, seq, batch, nb1, nb2, nb3, 0);
          const second = api.ggml_view_4d(ctx, X, pairs, heads, seq, batch, nb1, nb2, nb3, pairs * b);
          turned = api.ggml_concat(ctx, second, first, 0);
        } else {
          // [1, pairs, heads, seq * batch] views of the even and odd members
          const even = api.ggml_view_4d(ctx, X, 1, pairs, heads, seq * batch, 2 * b, nb1, nb2, 0);
          const odd = api.ggml_view_4d(ctx, X, 1, pairs, heads, seq * batch, 2 * b, nb1, nb2, b);
          turned = e.reshape(api.ggml_concat(ctx, odd, even, 0), [rot, heads, seq, batch]);
        }
        const rotated = api.ggml_add(ctx, api.ggml_mul(ctx, head, C), api.ggml_mul(ctx, turned, S));
        if (rot === dim) return rotated;
        const rest = api.ggml_view_4d(ctx, X, dim - rot, heads, seq, batch, nb1, nb2, nb3, rot * b);
        return api.ggml_concat(ctx, rotated, e.cont(rest), 0);
      },
    },
  });
}
