import { BackendError, type Tensor } from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import type { NativePointer } from '../runtime/ggml-api.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { repeatTo, selectExact } from './ggml-helpers.js';
import { asNode, broadcastShapes } from './op-support.js';

/** Binary elementwise ops of the spec. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum';

/** Unary elementwise ops of the spec that map to one ggml op (or a short fixed chain). */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'silu' | 'gelu' | 'gelu_erf' | 'sigmoid' | 'tanh';

/** Float view of an input (int32 and compact weights are converted). */
function f32(e: Emitter, t: NativePointer, n: GraphNode): NativePointer {
  return e.f32(t, n.ggmlType);
}

/** Casts a float result back to int32 when the op's result dtype is int32. */
function finish(e: Emitter, t: NativePointer, int: boolean): NativePointer {
  return int ? e.api.ggml_cast(e.ctx, e.cont(t), GGML_TYPE.I32) : t;
}

/** `a <op> b` with NumPy broadcasting; a number `b` is a scalar. int32 when both operands are int32. */
export function binaryOp(rt: GraphRuntime, op: BinaryOp, a: Tensor, b: Tensor | number): GraphNode {
  const x = asNode(op, a);
  if (typeof b === 'number') {
    if (op === 'maximum') {
      return rt.node(op, {
        shape: x.shape,
        dtype: x.dtype,
        inputs: [x],
        recipe: { key: `${b}`, emit: (e, [p]) => finish(e, e.api.ggml_clamp(e.ctx, e.cont(f32(e, p, x)), b, Infinity), x.dtype === 'int32') },
      });
    }
    const [scale, bias] = op === 'add' ? [1, b] : op === 'sub' ? [1, -b] : op === 'mul' ? [b, 0] : [1 / b, 0];
    const int = x.dtype === 'int32' && op !== 'div' && Number.isInteger(b);
    return rt.node(op, {
      shape: x.shape,
      dtype: int ? 'int32' : 'float32',
      inputs: [x],
      recipe: { key: `${b}`, emit: (e, [p]) => finish(e, e.api.ggml_scale_bias(e.ctx, e.cont(f32(e, p, x)), scale, bias), int) },
    });
  }
  const y = asNode(op, b);
  const shape = broadcastShapes(op, x.shape, y.shape);
  const int = x.dtype === 'int32' && y.dtype === 'int32' && op !== 'div';
  return rt.node(op, {
    shape,
    dtype: int ? 'int32' : 'float32',
    inputs: [x, y],
    recipe: { key: '', emit: (e, [p, q]) => finish(e, emitBinary(e, op, f32(e, p, x), x.shape, f32(e, q, y), y.shape, shape), int) },
  });
}

function emitBinary(
  e: Emitter,
  op: BinaryOp,
  a: NativePointer,
  aShape: readonly number[],
  b: NativePointer,
  bShape: readonly number[],
  shape: readonly number[],
): NativePointer {
  const { api, ctx } = e;
  const full = (s: readonly number[]) => s.length === shape.length && s.every((d, i) => d === shape[i]);
  if (op === 'maximum') {
    const A = repeatTo(e, a, aShape, shape);
    const B = repeatTo(e, b, bShape, shape);
    const takeB = api.ggml_step(ctx, api.ggml_sub(ctx, B, A)); // 1 where b > a
    return selectExact(e, takeB, e.cont(B), e.cont(A), toNe(shape));
  }
  if ((op === 'add' || op === 'mul') && !full(aShape) && full(bShape)) return emitBinary(e, op, b, bShape, a, aShape, shape);
  const A = repeatTo(e, a, aShape, shape);
  const fn = op === 'add' ? api.ggml_add : op === 'sub' ? api.ggml_sub : op === 'mul' ? api.ggml_mul : api.ggml_div;
  return fn(ctx, A, b);
}

/** A unary float op. */
export function unaryOp(rt: GraphRuntime, op: UnaryOp, name: string, a: Tensor): GraphNode {
  const x = asNode(name, a);
  return rt.node(name, {
    shape: x.shape,
    dtype: 'float32',
    inputs: [x],
    recipe: {
      key: op,
      emit: (e, [p]) => {
        const { api, ctx } = e;
        const t = e.cont(f32(e, p, x));
        switch (op) {
          case 'neg':
            return api.ggml_neg(ctx, t);
          case 'exp':
            return api.ggml_exp(ctx, t);
          case 'log':
            return api.ggml_log(ctx, t);
          case 'sqrt':
            return api.ggml_sqrt(ctx, t);
          case 'rsqrt':
            return api.ggml_div(ctx, api.ggml_fill(ctx, api.ggml_dup_tensor(ctx, t), 1), api.ggml_sqrt(ctx, t));
          case 'square':
            return api.ggml_sqr(ctx, t);
          case 'silu':
            return api.ggml_silu(ctx, t);
          case 'gelu': {
            // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), in float32 (ggml_gelu uses an f16 table)
            const inner = api.ggml_add(ctx, t, api.ggml_scale_bias(ctx, api.ggml_mul(ctx, api.ggml_sqr(ctx, t), t), 0.044715, 0));
            const th = api.ggml_tanh(ctx, api.ggml_scale_bias(ctx, inner, Math.sqrt(2 / Math.PI), 0));
            return api.ggml_mul(ctx, t, api.ggml_scale_bias(ctx, th, 0.5, 0.5));
          }
          case 'gelu_erf':
            return api.ggml_gelu_erf(ctx, t);
          case 'sigmoid':
            return api.ggml_sigmoid(ctx, t);
          case 'tanh':
            return api.ggml_tanh(ctx, t);
        }
      },
    },
  });
}

/** `cond ? a : b` with all three broadcast; exact selection (no arithmetic on the values). */
export function whereOp(rt: GraphRuntime, cond: Tensor, a: Tensor, b: Tensor): GraphNode {
  const c = asNode('where', cond);
  const x = asNode('where', a);
  const y = asNode('where', b);
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, x.shape), y.shape);
  if (c.dtype !== 'int32') throw new BackendError('where', 'cond must be int32 (non-zero is true)');
  const int = x.dtype === 'int32' && y.dtype === 'int32';
  return rt.node('where', {
    shape,
    dtype: int ? 'int32' : 'float32',
    inputs: [c, x, y],
    recipe: {
      key: '',
      emit: (e, [pc, pa, pb]) => {
        const { api, ctx } = e;
        const m = api.ggml_step(ctx, api.ggml_abs(ctx, e.cont(f32(e, pc, c))));
        const A = e.cont(repeatTo(e, f32(e, pa, x), x.shape, shape));
        const B = e.cont(repeatTo(e, f32(e, pb, y), y.shape, shape));
        return finish(e, selectExact(e, repeatTo(e, m, c.shape, shape), A, B, toNe(shape)), int);
      },
    },
  });
}

/**
 * `silu(gate) * up` (same shapes) as one `GGML_OP_GLU` node (`ggml_swiglu_split`): ggml computes it with the `silu`
 * kernel of `ggml_silu` times `up`, so the values equal `silu` then `mul`.
 */
export function swigluOp(rt: GraphRuntime, gate: Tensor, up: Tensor): GraphNode {
  const g = asNode('swiglu', gate);
  const u = asNode('swiglu', up);
  if (g.shape.length !== u.shape.length || g.shape.some((d, i) => d !== u.shape[i])) {
    throw new BackendError('swiglu', `gate [${g.shape.join(', ')}] and up [${u.shape.join(', ')}] must have the same shape (no broadcasting)`);
  }
  return rt.node('swiglu', {
    shape: g.shape,
    dtype: 'float32',
    inputs: [g, u],
    recipe: { key: '', emit: (e, [p, q]) => e.api.ggml_swiglu_split(e.ctx, e.cont(f32(e, p, g)), e.cont(f32(e, q, u))) },
  });
}
