import type { GraphNode } from './graph-node.js';

/**
 * The structure of the graph that computes `order` (pending nodes, inputs first) as a string: per node its op and
 * recipe key, shape, types, whether it is an output, and its inputs (positions in `order`, or for tensors computed
 * earlier the identity of their memory); host inputs count by shape and type only, since their values are copied in
 * at every run. Two graphs with the same key emit the same ggml graph, so one can be rerun with the other's inputs.
 * `undefined` when a node's recipe has no key (its emission depends on more than the string could say).
 */
export function graphKey(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean): string | undefined {
  const index = new Map<GraphNode, number>();
  let text = '';
  for (let i = 0; i < order.length; i++) {
    const n = order[i];
    index.set(n, i);
    let head: string;
    if (n.hostBytes !== undefined) head = 'in';
    else {
      const key = n.recipe.key;
      if (key === undefined) return undefined;
      head = `${n.op}(${key})${n.recipe.view ? 'v' : ''}${n.recipe.effect ? 'e' : ''}`;
    }
    text += head;
    for (const d of n.shape) text += `${d}x`;
    text += `:${n.dtype}:${n.ggmlType}${outputs.has(n) ? '!' : ''}[`;
    for (const input of n.inputs) {
      const at = index.get(input);
      text += at === undefined ? `@${input.storageId},` : `${at},`;
    }
    text += '];';
  }
  const at = index.get(final);
  return `${text}=${at === undefined ? `@${final.storageId}` : at}${readable ? 'r' : ''}`;
}
