import { describe, expect, it } from 'vitest';
import { GraphNode, type NodeOwner, type NodeRecipe } from './graph-node.js';
import { GraphSignature } from './graph-signature.js';

const owner: NodeOwner = { isDisposed: false, readData: async () => new Float32Array(0), release: () => {}, onUserDispose: () => {} };
const emit = (): unknown => null;

function input(shape: number[]): GraphNode {
  const n = new GraphNode(owner, { op: 'tensor', shape, dtype: 'float32', ggmlType: 0, inputs: [], recipe: {} });
  n.hostBytes = new Uint8Array(4 * shape.reduce((a, b) => a * b, 1));
  return n;
}

function op(inputs: GraphNode[], recipe: NodeRecipe, shape = inputs[0].shape): GraphNode {
  return new GraphNode(owner, { op: 'mul', shape, dtype: 'float32', ggmlType: 0, inputs, recipe });
}

describe('GraphSignature', () => {
  it('matches the same structure over different host inputs, and not another recipe key, shape, output or read', () => {
    const chain = (key: string, shape = [2, 3]) => {
      const x = input(shape);
      const y = op([x], { key, emit });
      return { x, y };
    };
    const a = chain('2');
    const signature = GraphSignature.of([a.x, a.y], a.y, new Set([a.y]), true) as GraphSignature;
    expect(signature).toBeDefined();
    const matches = (c: { x: GraphNode; y: GraphNode }) => signature.matches([c.x, c.y], c.y, new Set([c.y]), true);
    expect(matches(a)).toBe(true);
    expect(matches(chain('2'))).toBe(true);
    expect(matches(chain('3'))).toBe(false);
    expect(matches(chain('2', [3, 2]))).toBe(false);
    expect(signature.matches([a.x, a.y], a.y, new Set([a.x, a.y]), true)).toBe(false); // the input held too
    expect(signature.matches([a.x, a.y], a.y, new Set([a.y]), false)).toBe(false);
    expect(signature.matches([a.x], a.x, new Set(), true)).toBe(false); // a prefix of it
    const longer = op([a.y], { key: '2', emit });
    expect(signature.matches([a.x, a.y, longer], longer, new Set([longer]), true)).toBe(false);
  });

  it('names tensors computed earlier by their memory, tells inputs apart by position, and is undefined when a recipe has no key', () => {
    const weight = new GraphNode(owner, { op: 'weight', shape: [2, 3], dtype: 'float32', ggmlType: 0, inputs: [], recipe: {} });
    const other = new GraphNode(owner, { op: 'weight', shape: [2, 3], dtype: 'float32', ggmlType: 0, inputs: [], recipe: {} });
    const keyed = (w: GraphNode) => {
      const x = input([2, 3]);
      const y = op([x, w], { key: '', emit });
      return [[x, y], y] as const;
    };
    const [order, final] = keyed(weight);
    const signature = GraphSignature.of(order, final, new Set([final]), true) as GraphSignature;
    const [sameOrder, sameFinal] = keyed(weight);
    expect(signature.matches(sameOrder, sameFinal, new Set([sameFinal]), true)).toBe(true);
    const [otherOrder, otherFinal] = keyed(other);
    expect(signature.matches(otherOrder, otherFinal, new Set([otherFinal]), true)).toBe(false);
    // the same nodes with the inputs of the op swapped
    const x = input([2, 3]);
    const z = input([2, 3]);
    const xz = op([x, z], { key: '', emit });
    const zx = op([z, x], { key: '', emit });
    const xzSignature = GraphSignature.of([x, z, xz], xz, new Set([xz]), true) as GraphSignature;
    expect(xzSignature.matches([x, z, zx], zx, new Set([zx]), true)).toBe(false);
    const unkeyed = op([x], { emit });
    expect(GraphSignature.of([x, unkeyed], unkeyed, new Set([unkeyed]), true)).toBeUndefined();
    expect(signature.matches([x, unkeyed], unkeyed, new Set([unkeyed]), true)).toBe(false);
  });
});
