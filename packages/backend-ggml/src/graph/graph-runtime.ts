import { BackendError, type TensorDType } from '@pio/core';
import type { GgmlApi, NativePointer } from '../runtime/ggml-api.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { Arena } from './arena.js';
import { Emitter } from './emitter.js';
import { GraphNode, type NodeOwner, type NodeRecipe } from './graph-node.js';
import { collectPending } from './collect-pending.js';
import { toNe } from './ggml-shape.js';
import { ScopeStack } from './scope-stack.js';

/** ggml tensors reserved per recorded node (an op may add conts, casts, repeats, views). */
const TENSORS_PER_NODE = 12;
/** Idle graph allocators kept for reuse (a decode step alternates between two: the previous step's outputs live on). */
const SPARE_ALLOCATORS = 2;

/**
 * Owns the lazily recorded graph: creates nodes, uploads leaves, computes pending nodes at sync points with a
 * fresh ggml context and graph allocator per computation, and tracks scopes and live memory.
 */
export class GraphRuntime implements NodeOwner {
  /** Scope bookkeeping for `Backend.scope` / `keep`. */
  readonly scopes = new ScopeStack();
  private liveTensors = 0;
  private liveBytes = 0;
  private readonly arenas = new Set<Arena>();
  private readonly live = new Set<GraphNode>();
  /** Graph allocators whose graphs are gone, kept (at most {@link SPARE_ALLOCATORS}) so their buffers get reused. */
  private readonly spareAllocators: NativePointer[] = [];
  private readonly recycle = (gallocr: NativePointer): void => {
    if (!this.disposed && this.spareAllocators.length < SPARE_ALLOCATORS) this.spareAllocators.push(gallocr);
    else this.api.ggml_gallocr_free(gallocr);
  };
  private disposed = false;
  private readonly forget = (arena: Arena): void => {
    this.arenas.delete(arena);
  };
  private readonly buft: NativePointer;

  constructor(
    /** The bound ggml API. */
    readonly api: GgmlApi,
    /** The ggml backend (device) computing graphs. */
    readonly backend: NativePointer,
  ) {
    this.buft = api.ggml_backend_get_default_buffer_type(backend);
  }

  /** Live tensors and bytes. */
  memory(): { tensors: number; bytes: number } {
    return { tensors: this.liveTensors, bytes: this.liveBytes };
  }

  /** Throws when the backend was disposed. */
  assertAlive(op: string): void {
    if (this.disposed) throw new BackendError(op, 'the backend was disposed; create a new one');
  }

  /** A node computed from `inputs` by `recipe`, registered in the current scope. */
  node(op: string, fields: { shape: readonly number[]; dtype: TensorDType; inputs: GraphNode[]; recipe: NodeRecipe; ggmlType?: number }): GraphNode {
    this.assertAlive(op);
    for (const input of fields.inputs) {
      if (input.isDisposed) throw new BackendError(op, `an input of shape [${input.shape.join(', ')}] was already disposed`);
    }
    const ggmlType = fields.ggmlType ?? (fields.dtype === 'int32' ? GGML_TYPE.I32 : GGML_TYPE.F32);
    return this.register(new GraphNode(this, { ...fields, op, ggmlType }));
  }

  /** A leaf uploaded now from raw bytes already in ggml's encoding of `ggmlType`. */
  upload(op: string, fields: { shape: readonly number[]; dtype: TensorDType; ggmlType: number; bytes: Uint8Array; ne?: readonly number[] }): GraphNode {
    this.assertAlive(op);
    const node = new GraphNode(this, { ...fields, op, inputs: [], recipe: {}, bytes: fields.bytes.byteLength });
    this.fillLeaf(node, fields.bytes, fields.ne ?? toNe(fields.shape));
    return this.register(node);
  }

  /**
   * A leaf allocated now and left unset: the caller writes its `byteLength` bytes (ggml's encoding of `ggmlType`)
   * with `ggml_backend_tensor_set` on `ptr` before any graph reads it (streamed weight uploads).
   */
  allocate(op: string, fields: { shape: readonly number[]; dtype: TensorDType; ggmlType: number; byteLength: number; ne?: readonly number[] }): GraphNode {
    this.assertAlive(op);
    const node = new GraphNode(this, { ...fields, op, inputs: [], recipe: {}, bytes: fields.byteLength });
    this.fillLeaf(node, fields.byteLength, fields.ne ?? toNe(fields.shape));
    return this.register(node);
  }

  /** Frees every arena and the device; the runtime is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const node of this.live) node.invalidate();
    this.live.clear();
    for (const arena of [...this.arenas]) arena.free();
    this.arenas.clear();
    for (const gallocr of this.spareAllocators.splice(0)) this.api.ggml_gallocr_free(gallocr);
    this.api.ggml_backend_free(this.backend);
    this.liveTensors = 0;
    this.liveBytes = 0;
  }

  /** {@link NodeOwner.onUserDispose}: updates the live counters. */
  onUserDispose(node: GraphNode): void {
    this.liveTensors--;
    this.live.delete(node);
    this.liveBytes -= node.accountedBytes;
  }

  /** {@link NodeOwner.release}: drops one reference; at zero frees the memory and lets go of the inputs. */
  release(node: GraphNode): void {
    node.refs--;
    if (node.refs > 0 || this.disposed) return;
    node.arena?.release();
    node.arena = undefined;
    node.ptr = undefined;
    const inputs = node.inputs;
    node.inputs = [];
    for (const input of inputs) this.release(input);
  }

  /** {@link NodeOwner.readData}: computes `node` if needed and copies its values out. */
  async readData(node: GraphNode): Promise<Float32Array | Int32Array> {
    this.assertAlive('data');
    if (node.isDisposed) throw new BackendError('data', 'the tensor was disposed');
    await this.resolveHostNodes(node);
    const count = node.shape.reduce((a, b) => a * b, 1);
    const out = node.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
    if (count === 0) return out;
    const plain = node.ggmlType === GGML_TYPE.F32 || node.ggmlType === GGML_TYPE.I32;
    if (node.ptr !== undefined && plain && this.api.ggml_is_contiguous(node.ptr)) {
      this.api.ggml_backend_tensor_get(node.ptr, out, 0, out.byteLength);
      return out;
    }
    const { final, arena } = this.computeGraph(node, true);
    this.api.ggml_backend_tensor_get(final, out, 0, out.byteLength);
    if (arena.unused) arena.free();
    return out;
  }

  /** Computes every pending node needed by `node` (ggml graph); returns its ggml tensor (made contiguous float32/int32 when `readable`). */
  computeGraph(node: GraphNode, readable: boolean): { final: NativePointer; arena: Arena } {
    const order = collectPending(node);
    const api = this.api;
    const slots = order.reduce((n, o) => n + Math.max(TENSORS_PER_NODE, o.recipe.tensors ?? 0), 64);
    const graphSize = slots + order.reduce((n, o) => n + o.inputs.length, 0);
    const ctx = api.ggml_init({ mem_size: api.ggml_tensor_overhead() * slots + api.ggml_graph_overhead_custom(graphSize, false), mem_buffer: null, no_alloc: true });
    const emitter = new Emitter(api, ctx);
    const emitted = new Map<GraphNode, NativePointer>();
    const ptrOf = (n: GraphNode): NativePointer => n.ptr ?? emitted.get(n);
    for (const n of order) {
      const emit = n.recipe.emit;
      if (!emit) throw new BackendError('data', 'internal: a pending node has no ggml recipe');
      emitted.set(n, emit(emitter, n.inputs.map(ptrOf)));
    }
    const outputs = order.filter((n) => (!n.isDisposed || n === node) && !n.recipe.effect);
    const detachList: NativePointer[] = [];
    const markOutput = (n: GraphNode): void => {
      const p = emitted.get(n);
      if (p === undefined) return;
      api.setOutputChain(p);
      detachList.push(p);
      if (n.recipe.view && n.inputs[0]) markOutput(n.inputs[0]);
    };
    for (const o of outputs) markOutput(o);
    let final = ptrOf(node);
    if (readable) {
      final = emitter.f32(final, node.dtype === 'int32' ? GGML_TYPE.F32 : node.ggmlType);
      if (node.dtype === 'int32' && node.ggmlType !== GGML_TYPE.I32) final = api.ggml_cast(ctx, final, GGML_TYPE.I32);
      final = emitter.cont(final);
      api.ggml_set_output(final);
    }
    const graph = api.ggml_new_graph_custom(ctx, graphSize, false);
    // A computed view read by this graph is a detached leaf whose memory belongs to a tensor outside the graph; ggml's
    // allocator sizes its hash set from the graph's own tensors yet also records each view's source, so tiny graphs
    // (reading a transposed result twice) overflowed it. Adding the sources as leaves keeps the count right.
    const external = new Set<GraphNode>(); // computed tensors this graph reads, each once
    if (order.length === 0) external.add(node);
    for (const n of order) for (const input of n.inputs) if (!emitted.has(input) && input.ptr !== undefined) external.add(input);
    // where their memory lies, taken now: effects release some of them after the computation
    const older = new Set<bigint>();
    for (const n of external) older.add(api.storageAddress(n.ptr));
    for (const n of external) {
      if (!n.recipe.emit) continue; // uploads and allocations own their memory: never views
      for (let src = api.viewSource(n.ptr); src; src = api.viewSource(src)) api.ggml_build_forward_expand(graph, src);
    }
    // Effects (writes into persistent buffers) are expanded in dependency order among the outputs, so a write lands
    // in the graph before any node that reads the buffer it fills (ggml only sees the buffer, not the write).
    const outputSet = new Set(outputs);
    const effects = order.filter((n) => n.recipe.effect === true);
    for (const o of order) if (outputSet.has(o) || o.recipe.effect) api.ggml_build_forward_expand(graph, emitted.get(o));
    api.ggml_build_forward_expand(graph, final);
    const gallocr = this.spareAllocators.pop() ?? api.ggml_gallocr_new(this.buft);
    const arena = new Arena(api, ctx, null, gallocr, this.forget, this.recycle);
    this.arenas.add(arena);
    // A recycled allocator keeps the placement it planned for its previous graph and, when the node and leaf counts
    // match and every tensor fits, `ggml_gallocr_alloc_graph` reuses it as is — but that plan knew the previous
    // graph's edges and outputs, not this one's, so live tensors could share memory. Plan afresh every time (`reserve`
    // only grows the buffer, it never frees and reallocates one that is big enough).
    if (!api.ggml_gallocr_reserve(gallocr, graph) || !api.ggml_gallocr_alloc_graph(gallocr, graph)) {
      arena.free();
      throw new BackendError('data', 'ggml could not allocate the compute graph (out of memory?)');
    }
    const status = api.ggml_backend_graph_compute(this.backend, graph);
    if (status !== 0) {
      arena.free();
      throw new BackendError('data', `ggml graph compute failed with status ${status}`);
    }
    // outputs, and the tensors their views read, become leaves: later graphs may meet them (see above)
    for (const p of detachList) for (let q: NativePointer | null = p; q; q = api.viewSource(q)) api.detach(q);
    for (const w of effects) {
      const inputs = w.inputs;
      w.ptr = inputs[0].ptr;
      w.inputs = [];
      for (const input of inputs) this.release(input);
    }
    for (const o of outputs) {
      o.ptr = emitted.get(o);
      o.arena = arena;
      arena.retain();
    }
    const borrowed = this.borrowsMemory(older, outputs, emitted);
    for (const o of outputs) {
      if (o.recipe.view || borrowed.has(o)) continue;
      const inputs = o.inputs;
      o.inputs = [];
      for (const input of inputs) this.release(input);
    }
    return { final, arena };
  }

  /**
   * Outputs whose ggml tensor uses the memory of a tensor computed before this graph (a recipe that returned its
   * input as is — a cast to the same type, a one-part concat — or a ggml view of it). Like views, they must keep their
   * inputs, which keep that older memory alive; this graph's arena holds only their own memory.
   */
  private borrowsMemory(older: ReadonlySet<bigint>, outputs: readonly GraphNode[], emitted: Map<GraphNode, NativePointer>): Set<GraphNode> {
    const borrowed = new Set<GraphNode>();
    if (older.size === 0) return borrowed;
    for (const o of outputs) if (!o.recipe.view && older.has(this.api.storageAddress(emitted.get(o)))) borrowed.add(o);
    return borrowed;
  }

  /** Computes, on the host, every pending host-op node `node` depends on (their inputs first). */
  private async resolveHostNodes(node: GraphNode): Promise<void> {
    for (;;) {
      const host = collectPending(node).find((n) => n.recipe.host);
      if (!host?.recipe.host) return;
      const values = [];
      for (const input of host.inputs) values.push(await this.readData(input));
      const result = host.recipe.host(values);
      if (host.ptr === undefined) {
        this.fillLeaf(host, new Uint8Array(result.buffer, result.byteOffset, result.byteLength), toNe(host.shape));
        const inputs = host.inputs;
        host.inputs = [];
        for (const input of inputs) this.release(input);
      }
    }
  }

  /** Allocates `node`'s ggml tensor and copies `bytes` in (a byte count: allocate only). */
  private fillLeaf(node: GraphNode, bytes: Uint8Array | number, ne: readonly number[]): void {
    const byteLength = typeof bytes === 'number' ? bytes : bytes.byteLength;
    const api = this.api;
    const ctx = api.ggml_init({ mem_size: api.ggml_tensor_overhead() * 2, mem_buffer: null, no_alloc: true });
    const t = api.ggml_new_tensor_4d(ctx, node.ggmlType, ne[0], ne[1], ne[2], ne[3]);
    const size = api.ggml_nbytes(t);
    const buffer = size > 0 ? api.ggml_backend_alloc_ctx_tensors(ctx, this.backend) : null;
    if (size > 0 && !buffer) {
      api.ggml_free(ctx);
      throw new BackendError('tensor', `could not allocate ${size} bytes on the ggml device`);
    }
    if (size !== byteLength) throw new BackendError('tensor', `internal: ${byteLength} bytes for a ${size}-byte ggml tensor`);
    if (size > 0 && typeof bytes !== 'number') api.ggml_backend_tensor_set(t, bytes, 0, size);
    const arena = new Arena(api, ctx, buffer, null, this.forget);
    this.arenas.add(arena);
    arena.retain();
    node.ptr = t;
    node.arena = arena;
  }

  private register(node: GraphNode): GraphNode {
    this.liveTensors++;
    this.live.add(node);
    this.liveBytes += node.accountedBytes;
    this.scopes.track(node);
    return node;
  }
}

