import { BackendError, type Tensor } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { asNode, fmt } from './op-support.js';

/** `ggml_rms_norm(x) * weight` over the last axis. */
export function rmsNormOp(rt: GraphRuntime, a: Tensor, w: Tensor, eps: number): GraphNode {
  const x = asNode('rmsNorm', a);
  const weight = asNode('rmsNorm', w);
  const dim = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 1 || weight.shape[0] !== dim)
    throw new BackendError('rmsNorm', `weight ${fmt(weight.shape)} must be [${dim}] for input ${fmt(x.shape)}`);
  return rt.node('rmsNorm', {
    shape: x.shape,
    dtype: 'float32',
    inputs: [x, weight],
    recipe: {
      key: `${eps}`,
      emit: (e, [p, q]) => e.api.ggml_mul(e.ctx, e.api.ggml_rms_norm(e.ctx, e.cont(e.f32(p, x.ggmlType)), eps), e.f32(q, weight.ggmlType)),
    },
  });
}

/** `ggml_norm(x) * weight + bias` over the last axis. */
export function layerNormOp(rt: GraphRuntime, a: Tensor, w: Tensor, b: Tensor, eps: number): GraphNode {
  const x = asNode('layerNorm', a);
  const weight = asNode('layerNorm', w);
  const bias = asNode('layerNorm', b);
  const dim = x.shape[x.shape.length - 1];
  for (const t of [weight, bias]) {
    if (t.shape.length !== 1 || t.shape[0] !== dim)
      throw new BackendError('layerNorm', `weight ${fmt(weight.shape)} and bias ${fmt(bias.shape)} must be [${dim}] for input ${fmt(x.shape)}`);
  }
  return rt.node('layerNorm', {
    shape: x.shape,
    dtype: 'float32',
    inputs: [x, weight, bias],
    recipe: {
      key: `${eps}`,
      emit: (e, [p, q, r]) => {
        const { api, ctx } = e;
        const normed = api.ggml_norm(ctx, e.cont(e.f32(p, x.ggmlType)), eps);
        return api.ggml_add(ctx, api.ggml_mul(ctx, normed, e.f32(q, weight.ggmlType)), e.f32(r, bias.ggmlType));
      },
    },
  });
}
