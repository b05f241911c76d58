import type { GraphNode } from './graph-node.js';

/** Flag bits of a node in a signature. */
const HOST_INPUT = 1;
const VIEW = 2;
const EFFECT = 4;
const OUTPUT = 8;

/** Receives the signature's words in order; returns false to stop the walk. */
type WordSink = (word: string | number) => boolean;

/**
 * The structure of the graph that computes `order` (pending nodes, inputs first): per node its op and recipe key,
 * shape, types, whether it is a view, an effect or an output, and its inputs (positions in `order`, or for tensors
 * computed earlier the identity of their memory); host inputs count by shape and type only, since their values are
 * copied in at every run. Two graphs with the same signature emit the same ggml graph, so one can be rerun with the
 * other's inputs.
 *
 * A signature is a flat list of words, and {@link GraphSignature.matches} walks a candidate graph against it without
 * building anything: a decode step that reruns a kept graph allocates nothing to find it. (A key string built per
 * step was the largest JavaScript allocation of a decode step, about half a megabyte on a 28-layer model, and the
 * young-generation collections it caused ran while the graph computed, on the cores ggml's threads were using.)
 */
export class GraphSignature {
  /** Stamps nodes with their position in the order being walked (see {@link walk}). */
  private static visits = 0;

  private constructor(private readonly words: ReadonlyArray<string | number>) {}

  /** The signature of `order`, or `undefined` when a node's recipe has no key (its emission depends on more than a key can say). */
  static of(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean): GraphSignature | undefined {
    const words: (string | number)[] = [];
    const complete = GraphSignature.walk(order, final, outputs, readable, (word) => {
      words.push(word);
      return true;
    });
    return complete ? new GraphSignature(words) : undefined;
  }

  /** True when `order` (with `final`, `outputs` and `readable`) has this signature. Allocates nothing but one closure. */
  matches(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean): boolean {
    const words = this.words;
    let at = 0;
    const complete = GraphSignature.walk(order, final, outputs, readable, (word) => words[at++] === word);
    return complete && at === words.length;
  }

  /** Feeds the words of `order`'s signature to `sink`; false when `sink` stopped the walk or a recipe has no key. */
  private static walk(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean, sink: WordSink): boolean {
    const visit = ++GraphSignature.visits;
    // a node computed before this graph is named by its memory, as a negative word (positions are >= 0)
    const ref = (n: GraphNode): number => (n.visit === visit ? n.visitIndex : -n.storageId - 1);
    if (!sink(order.length)) return false;
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      n.visit = visit;
      n.visitIndex = i;
      const output = outputs.has(n) ? OUTPUT : 0;
      if (n.hostBytes !== undefined) {
        if (!sink(HOST_INPUT | output)) return false;
      } else {
        const { key, view, effect } = n.recipe;
        if (key === undefined) return false;
        if (!sink((view ? VIEW : 0) | (effect ? EFFECT : 0) | output) || !sink(n.op) || !sink(key)) return false;
      }
      if (!sink(n.dtype) || !sink(n.ggmlType) || !sink(n.shape.length)) return false;
      for (const d of n.shape) if (!sink(d)) return false;
      if (!sink(n.inputs.length)) return false;
      for (const input of n.inputs) if (!sink(ref(input))) return false;
    }
    return sink(ref(final)) && sink(readable ? 1 : 0);
  }
}
