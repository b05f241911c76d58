import type { GraphNode } from './graph-node.js';

/** Not-yet-computed nodes `node` depends on (itself included), inputs before consumers. */
export function collectPending(node: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  // an explicit stack (graphs are deep); a node is pushed once to expand it and once, marked, to emit it
  const stack: GraphNode[] = [node];
  const emit: boolean[] = [false];
  while (stack.length > 0) {
    const n = stack.pop() as GraphNode;
    if (emit.pop()) {
      order.push(n);
      continue;
    }
    if (n.computed || seen.has(n)) continue;
    seen.add(n);
    stack.push(n);
    emit.push(true);
    for (let i = n.inputs.length - 1; i >= 0; i--) {
      stack.push(n.inputs[i]);
      emit.push(false);
    }
  }
  return order;
}
