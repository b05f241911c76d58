import { BackendError, checkExpertMatmul, checkRoutingOptions, type ExpertRouting, type ExpertRoutingOptions, type Tensor } from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { GGML_TYPE, type NativePointer } from '../runtime/ggml-api.js';
import { asNode } from './op-support.js';

/** `GGML_SORT_ORDER_ASC`. */
const SORT_ASC = 0;
/** Added to the choice scores of experts outside the kept groups: every masked expert ends at exactly `-MASKED` (below any score). */
const MASKED = 1e30;
/** ggml tensors one routing node may create (two rankings of ~14 tensors each plus the scores and the mask). */
const ROUTING_TENSORS = 64;

/**
 * Exact descending ranks of the rows of `v` (ggml `[n, rows]`, float32, contiguous): `rank[i] = #{j : v[j] > v[i]} +
 * #{j < i : v[j] == v[i]}`, so ranks are distinct integers and ties go to the lower index (ggml's argsort is not
 * stable; sorting these ranks is unambiguous). Built from pairwise differences (`n * n * rows` values): `a - b` of two
 * floats is zero only when they are equal, so every comparison is exact.
 */
function ranks(e: Emitter, v: NativePointer, n: number, rows: number): NativePointer {
  const { api, ctx } = e;
  const vj = api.ggml_repeat_4d(ctx, api.ggml_reshape_4d(ctx, v, n, 1, rows, 1), n, n, rows, 1); // [j, i, r] = v[j, r]
  const diff = api.ggml_sub(ctx, vj, api.ggml_reshape_4d(ctx, v, 1, n, rows, 1)); // [j, i, r] = v[j] - v[i]
  const greater = api.ggml_step(ctx, diff);
  const less = api.ggml_step(ctx, api.ggml_neg(ctx, diff));
  const equal = api.ggml_scale_bias(ctx, api.ggml_add(ctx, greater, less), -1, 1);
  const lower = e.memo('moe-lower-triangle', [n], () => {
    const index = api.ggml_arange(ctx, 0, n, 1); // [n]
    const j = api.ggml_repeat_4d(ctx, api.ggml_reshape_4d(ctx, index, n, 1, 1, 1), n, n, 1, 1);
    return api.ggml_step(ctx, api.ggml_neg(ctx, api.ggml_sub(ctx, j, api.ggml_reshape_4d(ctx, index, 1, n, 1, 1)))); // [j, i] = j < i
  });
  const before = api.ggml_add(ctx, greater, api.ggml_mul(ctx, equal, lower));
  return api.ggml_reshape_4d(ctx, api.ggml_sum_rows(ctx, before), n, rows, 1, 1); // [i, r]
}

/** Largest expert count {@link choiceOrder} orders with one float32 key (index fractions exact next to the counts). */
const KEY_MAX_EXPERTS = 4096;

/**
 * Experts of each row of `v` (ggml `[n, rows]`, float32, contiguous) best first: an ascending argsort of the key
 * `sum_j sgn(v[j] - v[i]) + i / 2^p` (`2^p >= n`). The sum is the count of larger values minus the count of smaller
 * ones, an integer that drops by at least 2 from one distinct value to the next larger, and is equal for equal values;
 * the index fraction (below 1, exact in float32 next to integers up to n) orders equal values by index. So the sort
 * sees distinct keys in the spec's order (larger first, lower index first on ties) and ggml's unstable argsort cannot
 * reorder anything. `a - b` of two floats is zero only when they are equal, so every comparison is exact. Five
 * graph nodes (repeat, sub, sgn, sum_rows, add) plus the argsort; the index fractions are one node per graph.
 */
function choiceOrder(e: Emitter, v: NativePointer, n: number, rows: number): NativePointer {
  const { api, ctx } = e;
  const vj = api.ggml_repeat_4d(ctx, api.ggml_reshape_4d(ctx, v, n, 1, rows, 1), n, n, rows, 1); // [j, i, r] = v[j, r]
  const sign = api.ggml_sgn(ctx, api.ggml_sub(ctx, vj, api.ggml_reshape_4d(ctx, v, 1, n, rows, 1))); // sgn(v[j] - v[i])
  const step = 2 ** -Math.ceil(Math.log2(n));
  const fractions = e.memo('moe-index-fractions', [n], () => api.ggml_reshape_4d(ctx, api.ggml_arange(ctx, 0, n * step, step), 1, n, 1, 1)); // [1, i] = i / 2^p
  const key = api.ggml_add(ctx, api.ggml_sum_rows(ctx, sign), fractions); // [1, i, r]
  return api.ggml_argsort(ctx, api.ggml_reshape_4d(ctx, key, n, rows, 1, 1), SORT_ASC); // [n, rows] int32, best first
}

/** 1 where `rank < count`, else 0. */
function below(e: Emitter, rank: NativePointer, count: number): NativePointer {
  return e.api.ggml_step(e.ctx, e.api.ggml_scale_bias(e.ctx, rank, -1, count - 0.5));
}

/** The routing scores `[E, T]` (sigmoid or softmax of the logits), once per graph. */
function scoresOf(e: Emitter, logits: NativePointer, type: number, scoring: ExpertRoutingOptions['scoring']): NativePointer {
  return e.memo('moe-scores', [logits, scoring], () => {
    const x = e.cont(e.f32(logits, type));
    return scoring === 'sigmoid' ? e.api.ggml_sigmoid(e.ctx, x) : e.api.ggml_soft_max_ext(e.ctx, x, null, 1, 0);
  });
}

/**
 * `Backend.routeExperts` on the device, in float32: scores, biased choice scores, group scores (sum of the two best
 * in each group, by exact rank), kept groups, the top-k of the others (masked) by exact rank — an ascending argsort
 * of distinct ranks gives the experts best first — then the unbiased scores of the chosen (`get_rows`), normalised
 * and scaled. No host round trip: the experts feed `expertMatmul` in the same graph.
 */
export function routeExpertsOp(rt: GraphRuntime, logitsTensor: Tensor, options: ExpertRoutingOptions): ExpertRouting {
  const logits = asNode('routeExperts', logitsTensor);
  const bias = options.bias ? asNode('routeExperts', options.bias) : undefined;
  checkRoutingOptions('routeExperts', logits.shape, options, bias?.shape);
  const [tokens, e] = logits.shape;
  const { topK, scoring } = options;
  const groups = options.groups ?? { count: 1, keep: 1 };
  const perGroup = e / groups.count;
  const inputs = bias ? [logits, bias] : [logits];
  const key = `${topK},${scoring},${groups.count},${groups.keep}`;
  const experts = rt.node('routeExperts', {
    shape: [tokens, topK],
    dtype: 'int32',
    inputs,
    recipe: {
      key,
      tensors: ROUTING_TENSORS,
      emit: (em, [p, q]) => {
        const { api, ctx } = em;
        const scores = scoresOf(em, p, logits.ggmlType, scoring);
        let choice = q ? api.ggml_add(ctx, scores, em.f32(q, bias!.ggmlType)) : scores; // [E, T]
        if (groups.count > 1) {
          const grouped = api.ggml_reshape_4d(ctx, choice, perGroup, groups.count * tokens, 1, 1); // [P, G * T]
          const best = below(em, ranks(em, grouped, perGroup, groups.count * tokens), Math.min(2, perGroup));
          const groupScores = api.ggml_reshape_4d(ctx, api.ggml_sum_rows(ctx, api.ggml_mul(ctx, grouped, best)), groups.count, tokens, 1, 1); // [G, T]
          const kept = below(em, ranks(em, groupScores, groups.count, tokens), groups.keep); // [G, T]
          const penalty = api.ggml_reshape_4d(ctx, api.ggml_scale_bias(ctx, kept, MASKED, -MASKED), 1, groups.count * tokens, 1, 1); // 0 kept, -MASKED not
          choice = api.ggml_reshape_4d(ctx, api.ggml_add(ctx, grouped, penalty), e, tokens, 1, 1);
        }
        // an ascending argsort of distinct keys (or of the distinct ranks, past KEY_MAX_EXPERTS): best first
        const order = e <= KEY_MAX_EXPERTS ? choiceOrder(em, choice, e, tokens) : api.ggml_argsort(ctx, ranks(em, choice, e, tokens), SORT_ASC); // [E, T]
        // the first topK of each row, read in place (get_rows and mul_mat_id take strided indices, as llama.cpp's top-k view)
        return topK === e ? order : api.ggml_view_4d(ctx, order, topK, tokens, 1, 1, 4 * e, 4 * e * tokens, 4 * e * tokens, 0); // [K, T]
      },
    },
  });
  const weights = rt.node('routeExperts', {
    shape: [tokens, topK],
    dtype: 'float32',
    inputs: [logits, experts],
    recipe: {
      key: `${scoring},${options.normalize === true},${options.scale ?? 1}`,
      emit: (em, [p, chosen]) => {
        const { api, ctx } = em;
        const scores = scoresOf(em, p, logits.ggmlType, scoring);
        const picked = api.ggml_reshape_4d(ctx, api.ggml_get_rows(ctx, api.ggml_reshape_4d(ctx, scores, 1, e, tokens, 1), chosen), topK, tokens, 1, 1);
        const scale = options.scale ?? 1;
        // normalised and scaled in one division: w / ((sum + 1e-20) / scale)
        if (options.normalize) return api.ggml_div(ctx, picked, api.ggml_scale_bias(ctx, api.ggml_sum_rows(ctx, picked), 1 / scale, 1e-20 / scale)); // [K, T]
        return scale === 1 ? picked : api.ggml_scale_bias(ctx, picked, scale, 0);
      },
    },
  });
  return { experts, weights };
}

/**
 * `Backend.expertMatmul` via `ggml_mul_mat_id`: the stacked weight `[E, out, in]` (ggml `[in, out, E]`) stays in its
 * storage, `x` `[T, 1 | S, in]` and the ids `[T, S]` map directly; only the chosen experts' rows are read. Unlike
 * `linear`, a BF16 stack is not widened to float32 (that would copy every expert into each graph): ggml's BF16 kernel
 * rounds the activations to bf16, as it does for llama.cpp's BF16 models.
 */
export function expertMatmulOp(rt: GraphRuntime, a: Tensor, w: Tensor, ids: Tensor): GraphNode {
  const x = asNode('expertMatmul', a);
  const weights = asNode('expertMatmul', w);
  const experts = asNode('expertMatmul', ids);
  const [tokens, slots, out, , numExperts] = checkExpertMatmul(x.shape, weights.shape, experts.shape, experts.dtype);
  // ids uploaded from the host are checked here (ggml aborts the process on an out-of-range id); ids computed on the
  // device (routeExperts) are in range by construction
  if (experts.isHostInput) {
    const ids = new Int32Array(experts.hostBytes!.slice().buffer, 0, tokens * slots); // a copy: aligned
    const bad = ids.findIndex((id) => id < 0 || id >= numExperts);
    if (bad >= 0) throw new BackendError('expertMatmul', `expert index ${ids[bad]} at slot ${bad} is outside [0, ${numExperts})`);
  }
  return rt.node('expertMatmul', {
    shape: [tokens, slots, out],
    dtype: 'float32',
    inputs: [x, weights, experts],
    readsRepacked: true,
    recipe: {
      key: '',
      emit: (em, [p, q, r]) => {
        const stack = weights.ggmlType === GGML_TYPE.I32 ? em.f32(q, weights.ggmlType) : q;
        // the ids are read through their strides (routeExperts hands over a view of its argsort)
        return em.api.ggml_mul_mat_id(em.ctx, stack, em.cont(em.f32(p, x.ggmlType)), r);
      },
    },
  });
}
