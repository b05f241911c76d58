import { BackendError, type Tensor } from '@pio/core';
import { GraphNode } from '../graph/graph-node.js';

/** Checks that `t` is a live tensor of this backend and returns it as a {@link GraphNode}. */
export function asNode(op: string, t: Tensor): GraphNode {
  if (!(t instanceof GraphNode)) throw new BackendError(op, 'the tensor belongs to another backend; create it with this ggml backend');
  if (t.isDisposed) throw new BackendError(op, `a tensor of shape [${t.shape.join(', ')}] was already disposed`);
  return t;
}

/** Product of the dimensions. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** NumPy broadcast of two shapes; throws `BackendError` from `op` when they are incompatible. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new BackendError(op, `shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  if (rank > 4) {
    // ggml merges the leading axes into one: each operand must have them all equal to the result's, or all 1
    const lead = (s: readonly number[]) => [...new Array(rank - s.length).fill(1), ...s].slice(0, rank - 3);
    const target = lead(out);
    for (const s of [a, b]) {
      const l = lead(s);
      if (!l.every((d, i) => d === target[i]) && !l.every((d) => d === 1))
        throw new BackendError(op, `broadcasting ${fmt(a)} with ${fmt(b)} across the leading axes of a rank-${rank} result needs a reshape to rank 4 first`);
    }
  }
  return out;
}

/** Formats a shape for messages. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major shape with `axis` removed (or set to 1 when `keepDims`). */
export function reducedShape(shape: readonly number[], axis: number, keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}
