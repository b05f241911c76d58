import { BackendError, type RopeLayout, type Tensor } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { asNode, fmt } from './op-support.js';

/** ggml's rope modes: neighbouring pairs, and NEOX pairs `(i, i + n_dims / 2)`. */
const ROPE_MODE = { interleaved: 0, half: 2 } as const;

/**
 * `Backend.ropePositions` as one `ggml_rope_ext` node. ggml computes each pair's angle as
 * `position * base^(-2i / n_dims) / freq_factor[i]`; with base 1 that is `position / freq_factor[i]`, so the factors are
 * `1 / inverseFrequencies` (computed once per graph and shared by every layer), which gives the spec's
 * `position * inverseFrequencies[i]` up to one float32 rounding. ggml reads one position per `ne[2]` (the sequence):
 * rows with their own positions (`[batch, seq]` with batch > 1) are merged into the sequence axis first.
 */
export function ropePositionsOp(rt: GraphRuntime, a: Tensor, positionsT: Tensor, inverseT: Tensor, layout: RopeLayout): GraphNode {
  const x = asNode('ropePositions', a);
  const positions = asNode('ropePositions', positionsT);
  const inverse = asNode('ropePositions', inverseT);
  if (layout !== 'half' && layout !== 'interleaved') throw new BackendError('ropePositions', `layout must be 'half' or 'interleaved', got ${String(layout)}`);
  if (x.shape.length !== 4) throw new BackendError('ropePositions', `x must be [batch, seq, heads, headDim], got ${fmt(x.shape)}`);
  const [batch, seq, heads, dim] = x.shape;
  const rows = positions.shape[0];
  const pairs = inverse.shape[0];
  if (
    positions.dtype !== 'int32' ||
    positions.shape.length !== 2 ||
    (rows !== 1 && rows !== batch) ||
    positions.shape[1] !== seq ||
    inverse.shape.length !== 1 ||
    pairs < 1 ||
    2 * pairs > dim
  ) {
    throw new BackendError(
      'ropePositions',
      `positions ${positions.dtype} ${fmt(positions.shape)} must be int32 [${batch} or 1, ${seq}] and inverseFrequencies ${fmt(inverse.shape)} [pairs <= ${dim / 2}] for x ${fmt(x.shape)}`,
    );
  }
  const merged = rows > 1; // per-row positions: [headDim, heads, seq * batch, 1]
  return rt.node('ropePositions', {
    shape: x.shape,
    dtype: 'float32',
    inputs: [x, positions, inverse],
    recipe: {
      key: layout,
      emit: (e, [px, pp, pf]) => {
        const { api, ctx } = e;
        const factors = e.memo('rope-factors', [inverse], () => {
          const f = e.f32(pf, inverse.ggmlType);
          return api.ggml_div(ctx, api.ggml_fill(ctx, f, 1), f); // [pairs]
        });
        // ggml_rope_ext reads rows through their strides (a slice of the heads' features, as llama.cpp ropes its
        // q_pe view): only the per-row-positions reshape below needs a contiguous copy
        const f = e.f32(px, x.ggmlType);
        let xs = merged || !api.ggml_is_contiguous_rows(f) ? e.cont(f) : f;
        let ids = e.cont(pp);
        if (positions.ggmlType !== GGML_TYPE.I32) ids = api.ggml_cast(ctx, ids, GGML_TYPE.I32);
        if (merged) {
          xs = e.reshape(xs, [dim, heads, seq * batch, 1]);
          ids = e.reshape(ids, [seq * batch, 1, 1, 1]);
        } else {
          ids = e.reshape(ids, [seq, 1, 1, 1]);
        }
        const out = api.ggml_rope_ext(ctx, xs, ids, factors, 2 * pairs, ROPE_MODE[layout], 0, 1, 1, 0, 1, 0, 0);
        return merged ? e.reshape(out, [dim, heads, seq, batch]) : out;
      },
    },
  });
}
