import type { GraphNode } from './graph-node.js';

/** Flag bits of a node in a signature. */
const HOST_INPUT = 1;
const VIEW = 2;
const EFFECT = 4;
const OUTPUT = 8;

/**
 * The structure of the graph that computes `order` (pending nodes, inputs first): per node its op and recipe key,
 * shape, types, whether it is a view, an effect or an output, and its inputs (positions in `order`, or for tensors
 * computed earlier the identity of their memory); host inputs count by shape and type only, since their values are
 * copied in at every run. Two graphs with the same signature emit the same ggml graph, so one can be rerun with the
 * other's inputs.
 *
 * A signature is a flat list of words, and {@link GraphSignature.matches} walks a candidate graph against it without
 * building anything: a decode step that reruns a kept graph allocates nothing per node to find it (two small closures
 * per walk). A key string built per step was the largest JavaScript allocation of a decode step, about half a
 * megabyte on a 28-layer model, and the young-generation collections it caused ran while the graph computed, on the
 * cores ggml's threads were using.
 */
export class GraphSignature {
  /** Stamps nodes with their position in the order being walked (see {@link walk}). */
  private static visits = 0;

  private constructor(private readonly words: ReadonlyArray<string | number>) {}

  /** The signature of `order`, or `undefined` when a node's recipe has no key (its emission depends on more than a key can say). */
  static of(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean): GraphSignature | undefined {
    const words: (string | number)[] = [];
    return GraphSignature.walk(order, final, outputs, readable, words, true) ? new GraphSignature(words) : undefined;
  }

  /** True when `order` (with `final`, `outputs` and `readable`) has this signature. Allocates nothing per node. */
  matches(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean): boolean {
    return GraphSignature.walk(order, final, outputs, readable, this.words as (string | number)[], false);
  }

  /** True when `other` is the same structure (two graphs built apart, e.g. kept by two recordings of a step). */
  equals(other: GraphSignature): boolean {
    const a = this.words;
    const b = other.words;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /**
   * Walks the words of `order`'s signature: appends them to `words` (`record`), or compares them with `words` and
   * stops at the first difference. False when they differ, or when a recipe has no key.
   */
  private static walk(
    order: readonly GraphNode[],
    final: GraphNode,
    outputs: ReadonlySet<GraphNode>,
    readable: boolean,
    words: (string | number)[],
    record: boolean,
  ): boolean {
    const visit = ++GraphSignature.visits;
    let at = 0;
    // one local function for both uses: a single call target at every call site below (15% less self time in a
    // CPU profile of 1,600 steps of a 28-layer decoder with tiny widths than with the two callers passing their own)
    const word = (w: string | number): boolean => {
      if (record) {
        words.push(w);
        return true;
      }
      return words[at++] === w;
    };
    // a node computed before this graph is named by its memory, as a negative word (positions are >= 0)
    const ref = (n: GraphNode): number => (n.visit === visit ? n.visitIndex : -n.storageId - 1);
    if (!word(order.length)) return false;
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      n.visit = visit;
      n.visitIndex = i;
      const output = outputs.has(n) ? OUTPUT : 0;
      if (n.hostBytes !== undefined) {
        if (!word(HOST_INPUT | output)) return false;
      } else {
        const { key, view, effect } = n.recipe;
        if (key === undefined) return false;
        if (!word((view ? VIEW : 0) | (effect ? EFFECT : 0) | output) || !word(n.op) || !word(key)) return false;
      }
      if (!word(n.dtype) || !word(n.ggmlType) || !word(n.shape.length)) return false;
      for (const d of n.shape) if (!word(d)) return false;
      if (!word(n.inputs.length)) return false;
      for (const input of n.inputs) if (!word(ref(input))) return false;
    }
    return word(ref(final)) && word(readable ? 1 : 0) && (record || at === words.length);
  }
}
