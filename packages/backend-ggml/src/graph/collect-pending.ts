import type { GraphNode } from './graph-node.js';

/** Not-yet-computed nodes `node` depends on (itself included), inputs before consumers. */
export function collectPending(node: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  const stack: Array<[GraphNode, boolean]> = [[node, false]];
  while (stack.length > 0) {
    const [n, expanded] = stack.pop() as [GraphNode, boolean];
    if (expanded) {
      order.push(n);
      continue;
    }
    if (n.computed || seen.has(n)) continue;
    seen.add(n);
    stack.push([n, true]);
    for (let i = n.inputs.length - 1; i >= 0; i--) stack.push([n.inputs[i], false]);
  }
  return order;
}
