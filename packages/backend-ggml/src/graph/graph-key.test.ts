import { describe, expect, it } from 'vitest';
import { graphKey } from './graph-key.js';
import { GraphNode, type NodeOwner, type NodeRecipe } from './graph-node.js';

const owner: NodeOwner = { readData: async () => new Float32Array(0), release: () => {}, onUserDispose: () => {} };
const emit = (): unknown => null;

function input(shape: number[]): GraphNode {
  const n = new GraphNode(owner, { op: 'tensor', shape, dtype: 'float32', ggmlType: 0, inputs: [], recipe: {} });
  n.hostBytes = new Uint8Array(4 * shape.reduce((a, b) => a * b, 1));
  return n;
}

function op(inputs: GraphNode[], recipe: NodeRecipe, shape = inputs[0].shape): GraphNode {
  return new GraphNode(owner, { op: 'mul', shape, dtype: 'float32', ggmlType: 0, inputs, recipe });
}

describe('graphKey', () => {
  it('is equal for the same structure over different host inputs, and differs with a recipe key, shape or output', () => {
    const chain = (key: string, shape = [2, 3]) => {
      const x = input(shape);
      const y = op([x], { key, emit });
      return { x, y, key: graphKey([x, y], y, new Set([y]), true) };
    };
    const a = chain('2');
    expect(a.key).toBeDefined();
    expect(chain('2').key).toBe(a.key);
    expect(chain('3').key).not.toBe(a.key);
    expect(chain('2', [3, 2]).key).not.toBe(a.key);
    expect(graphKey([a.x, a.y], a.y, new Set([a.x, a.y]), true)).not.toBe(a.key); // the input held too
    expect(graphKey([a.x, a.y], a.y, new Set([a.y]), false)).not.toBe(a.key);
  });

  it('names tensors computed earlier by their memory, and is undefined when a recipe has no key', () => {
    const weight = new GraphNode(owner, { op: 'weight', shape: [2, 3], dtype: 'float32', ggmlType: 0, inputs: [], recipe: {} });
    const other = new GraphNode(owner, { op: 'weight', shape: [2, 3], dtype: 'float32', ggmlType: 0, inputs: [], recipe: {} });
    const keyed = (w: GraphNode) => {
      const x = input([2, 3]);
      const y = op([x, w], { key: '', emit });
      return graphKey([x, y], y, new Set([y]), true);
    };
    expect(keyed(weight)).toBe(keyed(weight));
    expect(keyed(other)).not.toBe(keyed(weight));
    const x = input([2, 3]);
    const unkeyed = op([x], { emit });
    expect(graphKey([x, unkeyed], unkeyed, new Set([unkeyed]), true)).toBeUndefined();
  });
});
