import { BackendError, type Tensor, type TensorDType } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { assertAxisInGgml, normalizeAxis, toGgmlDim, toNe } from '../graph/ggml-shape.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { contiguousStrides } from './ggml-helpers.js';
import { asNode, fmt, sizeOf } from './op-support.js';

/** Same values, new shape (one dimension may be -1). */
export function reshapeOp(rt: GraphRuntime, a: Tensor, shape: readonly number[]): GraphNode {
  const x = asNode('reshape', a);
  const total = sizeOf(x.shape);
  const known = shape.filter((d) => d !== -1);
  const free = shape.length - known.length;
  const rest = sizeOf(known);
  const out = shape.map((d) => (d === -1 ? (rest === 0 ? 0 : total / rest) : d));
  if (free > 1 || out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== total) {
    throw new BackendError('reshape', `cannot reshape ${fmt(x.shape)} (${total} values) to ${fmt(shape)}`);
  }
  const ne = toNe(out);
  return rt.node('reshape', {
    shape: out,
    dtype: x.dtype,
    ggmlType: x.ggmlType,
    inputs: [x],
    recipe: { key: '', view: true, emit: (e, [p]) => e.reshape(p, ne) },
  });
}

/** Permutes the axes. */
export function transposeOp(rt: GraphRuntime, a: Tensor, perm: readonly number[]): GraphNode {
  const x = asNode('transpose', a);
  const r = x.shape.length;
  const sorted = [...perm].map((p) => (p < 0 ? p + r : p)).sort((p, q) => p - q);
  if (perm.length !== r || sorted.some((p, i) => p !== i))
    throw new BackendError('transpose', `${fmt(perm)} is not a permutation of the ${r} axes of ${fmt(x.shape)}`);
  const norm = perm.map((p) => (p < 0 ? p + r : p));
  for (let i = 0; i < r - 3; i++) if (r > 4 && norm[i] !== i) assertAxisInGgml('transpose', i, r);
  const shape = norm.map((p) => x.shape[p]);
  const ax = [0, 1, 2, 3];
  for (let j = 0; j < r; j++) ax[r - 1 - norm[r - 1 - j]] = j;
  return rt.node('transpose', {
    shape,
    dtype: x.dtype,
    ggmlType: x.ggmlType,
    inputs: [x],
    recipe: { key: ax.join(), view: true, emit: (e, [p]) => e.api.ggml_permute(e.ctx, p, ax[0], ax[1], ax[2], ax[3]) },
  });
}

/** Joins tensors along `axis`. */
export function concatOp(rt: GraphRuntime, xs: readonly Tensor[], axis: number): GraphNode {
  if (xs.length === 0) throw new BackendError('concat', 'needs at least one tensor');
  const nodes = xs.map((t) => asNode('concat', t));
  const first = nodes[0];
  const ax = normalizeAxis('concat', axis, first.shape.length);
  assertAxisInGgml('concat', ax, first.shape.length);
  for (const n of nodes) {
    const ok = n.shape.length === first.shape.length && n.shape.every((d, i) => i === ax || d === first.shape[i]) && n.dtype === first.dtype;
    if (!ok) throw new BackendError('concat', `shapes ${nodes.map((m) => fmt(m.shape)).join(', ')} differ outside axis ${axis}`);
  }
  const shape = first.shape.map((d, i) => (i === ax ? nodes.reduce((s, n) => s + n.shape[ax], 0) : d));
  const dim = toGgmlDim(ax, shape.length);
  if (nodes.length > 1 && nodes.every((n) => n === first)) {
    // copies of one tensor (a key shared by every head): one ggml_repeat tiles it, instead of a chain of pairwise
    // concats that copies the growing result again at each part
    const ne = toNe(shape);
    return rt.node('concat', {
      shape,
      dtype: first.dtype,
      inputs: [first],
      recipe: {
        key: `${dim}x${nodes.length}`,
        emit: (e, [p]) => e.api.ggml_repeat_4d(e.ctx, e.cont(first.dtype === 'int32' ? p : e.f32(p, first.ggmlType)), ne[0], ne[1], ne[2], ne[3]),
      },
    });
  }
  return rt.node('concat', {
    shape,
    dtype: first.dtype,
    inputs: nodes,
    recipe: {
      key: `${dim}`,
      emit: (e, ps) => {
        const parts = ps.map((p, i) => e.cont(nodes[i].dtype === 'int32' ? p : e.f32(p, nodes[i].ggmlType)));
        return parts.slice(1).reduce((acc, p) => e.api.ggml_concat(e.ctx, acc, p, dim), parts[0]);
      },
    },
  });
}

/** A contiguous block; `size[i] = -1` means to the end. */
export function sliceOp(rt: GraphRuntime, a: Tensor, begin: readonly number[], size: readonly number[]): GraphNode {
  const x = asNode('slice', a);
  const r = x.shape.length;
  if (begin.length !== r || size.length !== r) throw new BackendError('slice', `begin ${fmt(begin)} and size ${fmt(size)} must have rank ${r}`);
  const out = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  if (out.some((s, i) => begin[i] < 0 || s < 0 || begin[i] + s > x.shape[i])) {
    throw new BackendError('slice', `begin ${fmt(begin)} size ${fmt(size)} is out of bounds for ${fmt(x.shape)}`);
  }
  for (let i = 0; i < r - 3; i++) if (out[i] !== x.shape[i]) assertAxisInGgml('slice', i, r);
  const srcNe = toNe(x.shape);
  const ne = toNe(out);
  const start = [...begin].reverse().slice(0, 3).concat([0, 0, 0]).slice(0, 4);
  // float16 (a KV cache read back) stays float16: a view, no float32 copy of the whole source; consumers read it
  // through their usual conversion (attention and mul_mat take float16 rows as they are)
  const keepType = x.ggmlType === GGML_TYPE.F16 ? GGML_TYPE.F16 : undefined;
  return rt.node('slice', {
    shape: out,
    dtype: x.dtype,
    ggmlType: keepType,
    inputs: [x],
    recipe: {
      key: begin.join(),
      view: true,
      emit: (e, [p]) => {
        const src = e.cont(x.dtype === 'int32' || keepType !== undefined ? p : e.f32(p, x.ggmlType));
        const nb = contiguousStrides(srcNe, keepType === undefined ? 4 : 2);
        const offset = start.reduce((acc, s, i) => acc + s * nb[i], 0);
        return e.api.ggml_view_4d(e.ctx, src, ne[0], ne[1], ne[2], ne[3], nb[1], nb[2], nb[3], offset);
      },
    },
  });
}

/** Converts the element type (float32 to int32 truncates toward zero). */
export function castOp(rt: GraphRuntime, a: Tensor, dtype: TensorDType): GraphNode {
  const x = asNode('cast', a);
  const type = dtype === 'int32' ? GGML_TYPE.I32 : GGML_TYPE.F32;
  return rt.node('cast', {
    shape: x.shape,
    dtype,
    inputs: [x],
    recipe: {
      key: '',
      emit: (e, [p]) => {
        if (x.dtype === dtype && x.ggmlType === type) return e.cont(p);
        const src = x.dtype === 'int32' ? e.cont(p) : e.cont(e.f32(p, x.ggmlType));
        return x.dtype === dtype ? src : e.api.ggml_cast(e.ctx, src, type);
      },
    },
  });
}
