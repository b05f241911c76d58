import type { GgmlApi, NativePointer } from '../runtime/ggml-api.js';
import type { GraphNode } from './graph-node.js';
import { GraphSignature } from './graph-signature.js';

/** A tensor a graph run makes a leaf afterwards: a live view of its op fields and their bytes as built. */
export interface DetachedTensor {
  readonly fields: Uint8Array;
  readonly saved: Uint8Array;
}

/** A recorded and allocated ggml graph: what running it again needs, by position in its pending nodes' order. */
export interface GraphPlan {
  readonly graph: NativePointer;
  /** The ggml tensor of each pending node. */
  readonly tensors: readonly NativePointer[];
  /** The tensor read back (a contiguous float32/int32 copy when the graph was built readable). */
  readonly final: NativePointer;
  /** Positions of the host inputs, whose values are copied in before each run. */
  readonly inputs: readonly number[];
  /** Positions of the outputs (nodes still referenced after the run). */
  readonly outputs: readonly number[];
  /** Output tensors (and view inputs) made leaves after each run, with their view sources. */
  readonly detach: readonly NativePointer[];
  /** Positions of outputs whose memory belongs to a tensor computed before the graph (they keep their inputs). */
  readonly borrowed: readonly number[];
}

/** A {@link GraphPlan} kept for reuse, with the memory it owns (see {@link GraphCache}). */
export interface CachedGraph extends GraphPlan {
  /** The structure of the pending nodes it computes. */
  readonly signature: GraphSignature;
  readonly ctx: NativePointer;
  readonly gallocr: NativePointer;
  /** Tensors made leaves after each run, with their op fields as built (undefined until the first run ends). */
  detached: DetachedTensor[] | undefined;
  /** True while tensors of its last run are still referenced: the graph's memory must not be overwritten. */
  busy: boolean;
  /** True while a recorded step replays it: no other computation takes it, and it is never evicted. */
  pinned?: boolean;
}

/**
 * Graphs kept between computations so a decode step can rerun the previous step's ggml graph with new inputs
 * instead of recording, allocating and planning it again. A key is kept only once it has been seen twice (a prompt's
 * prefill graph, seen once, is freed as before), and at most `limit` graphs are kept, least recently used evicted.
 */
export class GraphCache {
  private readonly entries: CachedGraph[] = [];
  private readonly seen: GraphSignature[] = [];
  /** Computations that reran a kept graph. */
  hits = 0;

  constructor(
    private readonly api: GgmlApi,
    private readonly limit = 4,
    private readonly recent = 8,
  ) {}

  /** False when it keeps nothing (reuse turned off): callers need not compute keys. */
  get enabled(): boolean {
    return this.limit > 0;
  }

  /** A free graph computing `order` (see {@link GraphSignature}), marked busy, or undefined. */
  take(order: readonly GraphNode[], final: GraphNode, outputs: ReadonlySet<GraphNode>, readable: boolean): CachedGraph | undefined {
    const at = this.entries.findIndex((g) => !g.busy && !g.pinned && g.signature.matches(order, final, outputs, readable));
    if (at < 0) return undefined;
    const [entry] = this.entries.splice(at, 1);
    this.entries.push(entry);
    entry.busy = true;
    this.hits++;
    return entry;
  }

  /**
   * Records that a graph computing `order` is being built: its signature and whether one like it was built recently
   * (only then is it worth keeping); `undefined` when it has no signature (never kept).
   */
  remember(
    order: readonly GraphNode[],
    final: GraphNode,
    outputs: ReadonlySet<GraphNode>,
    readable: boolean,
  ): { signature: GraphSignature; seenBefore: boolean } | undefined {
    const at = this.seen.findIndex((s) => s.matches(order, final, outputs, readable));
    const signature = at >= 0 ? this.seen.splice(at, 1)[0] : GraphSignature.of(order, final, outputs, readable);
    if (signature === undefined) return undefined;
    this.seen.push(signature);
    if (this.seen.length > this.recent) this.seen.shift();
    return { signature, seenBefore: at >= 0 };
  }

  /** Keeps `entry` (busy) when there is room, evicting the least recently used free graph; false when all are busy or pinned. */
  add(entry: CachedGraph): boolean {
    if (this.entries.length >= this.limit) {
      const at = this.entries.findIndex((g) => !g.busy && !g.pinned);
      if (at < 0) return false;
      this.free(this.entries.splice(at, 1)[0]);
    }
    this.entries.push(entry);
    return true;
  }

  /** Frees every kept graph. */
  dispose(): void {
    for (const entry of this.entries.splice(0)) this.free(entry);
    this.seen.length = 0;
  }

  private free(entry: CachedGraph): void {
    this.api.ggml_gallocr_free(entry.gallocr);
    this.api.ggml_free(entry.ctx);
  }
}
