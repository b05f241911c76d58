import type { Tensor, TensorDType } from '@pio/core';
import type { NativePointer } from '../runtime/ggml-api.js';
import type { Arena } from './arena.js';
import type { Emitter } from './emitter.js';

/** Builds a node's ggml tensor from its inputs' ggml tensors inside a graph being recorded. */
export type EmitFn = (e: Emitter, srcs: readonly NativePointer[]) => NativePointer;

/** Computes a node on the host from its inputs' values (for the few ops ggml cannot express exactly). */
export type HostFn = (inputs: ReadonlyArray<Float32Array | Int32Array>) => Float32Array | Int32Array;

/** How a {@link GraphNode} is computed: a ggml op (`emit`), a host function (`host`), or nothing (a leaf). */
export interface NodeRecipe {
  /** Records the ggml op(s). */
  readonly emit?: EmitFn;
  /** Computes on the host at a sync point. */
  readonly host?: HostFn;
  /** True when the ggml result is a view of its first input's memory (reshape, permute, view). */
  readonly view?: boolean;
  /**
   * True when the op writes into the memory of its first input (a persistent buffer, e.g. `ggml_cpy` into a KV
   * cache slot): it is computed in the graph of any node that depends on it, before those nodes, and afterwards
   * aliases that input and holds nothing else.
   */
  readonly effect?: boolean;
  /** ggml tensors the recipe may create, when more than the runtime's default budget per node (12). */
  readonly tensors?: number;
  /**
   * Everything `emit` depends on besides the node's shape, types and inputs (an axis, a scale, a permutation), as a
   * string: two nodes with the same op, shape, types, inputs and key emit the same ggml ops. A graph whose nodes all
   * have a key can be reused with new input values (see `GraphCache`); leave it undefined when emission depends on
   * anything that the string cannot state, and graphs containing the node are always built afresh.
   */
  readonly key?: string;
}

/** The runtime services a node needs; implemented by `GraphRuntime`. */
export interface NodeOwner {
  /** True once the owner freed everything at once: its nodes count as disposed. */
  readonly isDisposed: boolean;
  readData(node: GraphNode): Promise<Float32Array | Int32Array>;
  release(node: GraphNode): void;
  onUserDispose(node: GraphNode): void;
}

/**
 * A tensor handle on the ggml backend: a node of the lazily recorded graph.
 *
 * Until computed it holds its recipe and inputs; once computed (at a sync point) it holds a ggml tensor in an
 * {@link Arena} and drops its inputs. `refs` counts the user handle plus pending consumers, so an intermediate that a
 * scope disposed stays recordable while a live consumer still needs it.
 */
export class GraphNode implements Tensor {
  private static nextId = 1;
  /** Unique per node, never reused. */
  readonly id = GraphNode.nextId++;
  /**
   * Identity of the memory a computed node stands for, used in graph keys: its own {@link GraphNode.id}, or for a
   * computed write (an effect) the id of the buffer it wrote into.
   */
  storageId = this.id;
  /**
   * Host values (ggml's encoding of {@link GraphNode.ggmlType}) not yet in backend memory: a graph reading the node
   * allocates it as a graph input and copies these in before computing.
   */
  hostBytes: Uint8Array | undefined;
  /** The op that made it (for messages). */
  readonly op: string;
  /** Logical shape, row-major. */
  readonly shape: readonly number[];
  /** Element type seen by users. */
  readonly dtype: TensorDType;
  /** ggml element type of the stored values (differs from `dtype` for compact weights). */
  readonly ggmlType: number;
  /** Bytes counted by `memory()`. */
  readonly accountedBytes: number;
  /** Inputs while pending (cleared once computed, except for views). */
  inputs: GraphNode[];
  /** How to compute it; `undefined` for leaves. */
  readonly recipe: NodeRecipe;
  /** The ggml tensor once computed or uploaded. */
  ptr: NativePointer | undefined;
  /** Memory holding {@link GraphNode.ptr}. */
  arena: Arena | undefined;
  /**
   * Name of the extra buffer type (`CPU_REPACK`) holding a weight in a repacked layout: only `ggml_mul_mat` with this
   * node as its first operand may read it (see `WeightRepack`).
   */
  repacked: string | undefined;
  /** User handle (1 until disposed) plus pending consumers. */
  refs = 1;
  /** The walk of a graph signature that last met this node, and its position in that graph (see `GraphSignature`). */
  visit = 0;
  visitIndex = 0;
  private userDisposed = false;
  private readonly owner: NodeOwner;

  constructor(
    owner: NodeOwner,
    fields: { op: string; shape: readonly number[]; dtype: TensorDType; ggmlType: number; inputs: GraphNode[]; recipe: NodeRecipe; bytes?: number },
  ) {
    this.owner = owner;
    this.op = fields.op;
    this.shape = fields.shape.slice();
    this.dtype = fields.dtype;
    this.ggmlType = fields.ggmlType;
    this.inputs = fields.inputs;
    this.recipe = fields.recipe;
    this.accountedBytes = fields.bytes ?? this.shape.reduce((a, b) => a * b, 1) * 4;
    for (const input of this.inputs) input.refs++;
  }

  /** True once the values exist in backend memory. */
  get computed(): boolean {
    return this.ptr !== undefined;
  }

  /** True while the values are known on the host only (an input not yet read by any graph). */
  get isHostInput(): boolean {
    return this.hostBytes !== undefined && this.ptr === undefined;
  }

  /** True once {@link GraphNode.dispose} has run (directly or by a scope), or the backend was disposed. */
  get isDisposed(): boolean {
    return this.userDisposed || this.owner.isDisposed;
  }

  /** Computes (if needed) and copies the values to the host. */
  data(): Promise<Float32Array | Int32Array> {
    return this.owner.readData(this);
  }

  /** Drops the user handle; memory goes once no pending consumer needs the node. Safe to call twice. */
  dispose(): void {
    if (this.isDisposed) return;
    this.userDisposed = true;
    this.owner.onUserDispose(this);
    this.owner.release(this);
  }
}
