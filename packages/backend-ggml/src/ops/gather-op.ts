import { BackendError, type Tensor } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { normalizeAxis, toNe } from '../graph/ggml-shape.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { asNode, fmt, sizeOf } from './op-support.js';

/**
 * Picks slices of `x` along `axis` at int32 `indices` with `ggml_get_rows`. Axis 0 reads the table directly (any
 * storage, e.g. a Q8_0 embedding); other axes move the axis to the front first.
 */
export function gatherOp(rt: GraphRuntime, a: Tensor, idx: Tensor, axis = 0): GraphNode {
  const x = asNode('gather', a);
  const ind = asNode('gather', idx);
  if (ind.dtype !== 'int32') throw new BackendError('gather', 'indices must be int32');
  const ax = normalizeAxis('gather', axis, x.shape.length);
  const outer = sizeOf(x.shape.slice(0, ax));
  const len = x.shape[ax];
  const inner = sizeOf(x.shape.slice(ax + 1));
  const n = sizeOf(ind.shape);
  const shape = [...x.shape.slice(0, ax), ...ind.shape, ...x.shape.slice(ax + 1)];
  const int = x.dtype === 'int32';
  // indices uploaded from the host (token ids) are checked here: ggml_get_rows aborts the process on an out-of-range
  // row. Indices computed on the device (argMax, routing) are in range by construction.
  let source = ind;
  while (source.op === 'reshape' && !source.computed && source.inputs.length === 1) source = source.inputs[0]; // same values
  if (source.isHostInput) {
    const ids = new Int32Array(source.hostBytes!.slice().buffer, 0, n); // a copy: aligned
    const bad = ids.findIndex((id) => id < 0 || id >= len);
    if (bad >= 0) throw new BackendError('gather', `index ${ids[bad]} at position ${bad} is out of range [0, ${len}) on axis ${ax} of ${fmt(x.shape)}`);
  }
  return rt.node('gather', {
    shape,
    dtype: x.dtype,
    inputs: [x, ind],
    recipe: {
      key: `${ax}`,
      emit: (e, [p, q]) => {
        const { api, ctx } = e;
        const rows = e.reshape(q, [n, 1, 1, 1]);
        let table = int ? api.ggml_cast(ctx, e.cont(p), GGML_TYPE.F32) : p;
        if (outer === 1) {
          table = e.reshape(table, [inner, len, 1, 1]);
          if (int) table = e.cont(table);
          const got = api.ggml_get_rows(ctx, table, rows); // [inner, n]
          const res = e.reshape(got, toNe(shape));
          return int ? api.ggml_cast(ctx, res, GGML_TYPE.I32) : res;
        }
        const t3 = e.reshape(e.f32(table, int ? GGML_TYPE.F32 : x.ggmlType), [inner, len, outer, 1]);
        const front = e.reshape(api.ggml_permute(ctx, t3, 0, 2, 1, 3), [inner * outer, len, 1, 1]); // [len, outer*inner] row-major
        const got = e.reshape(api.ggml_get_rows(ctx, front, rows), [inner, outer, n, 1]);
        const back = e.cont(api.ggml_permute(ctx, got, 0, 2, 1, 3)); // [outer, n, inner] row-major
        const res = e.reshape(back, toNe(shape));
        return int ? api.ggml_cast(ctx, res, GGML_TYPE.I32) : res;
      },
    },
  });
}
