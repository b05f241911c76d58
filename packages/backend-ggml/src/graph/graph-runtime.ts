import { BackendError, type StepRecording, type StepValues, type Tensor, type TensorDType } from '@pio/core';
import type { GgmlApi, NativePointer } from '../runtime/ggml-api.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { Arena } from './arena.js';
import { Emitter } from './emitter.js';
import { GraphNode, type NodeOwner, type NodeRecipe } from './graph-node.js';
import { collectPending } from './collect-pending.js';
import { GraphCache, type CachedGraph, type DetachedTensor, type GraphPlan } from './graph-cache.js';
import { detachTensor } from '../runtime/tensor-layout.js';
import { toNe } from './ggml-shape.js';
import { sizeOf } from '../ops/op-support.js';
import { RecordedGraph, type RecordingHost } from './recorded-graph.js';
import { ScopeStack } from './scope-stack.js';
import { SerialQueue } from './serial-queue.js';
import type { GgmlBackendOptions } from '../ggml-backend-options.js';
import type { WeightRepack } from '../weights/weight-repack.js';

/** When `attention` uses `flash_attn_ext`. */
type FlashAttentionMode = NonNullable<GgmlBackendOptions['flashAttention']>;

/** What {@link GraphRuntime.recordStep} keeps of a graph to replay it (see `GraphRuntime.capture`). */
interface CapturedStep {
  readonly entry: CachedGraph;
  /** Per graph input: the declared input's index, or the bytes recorded. */
  readonly sources: ReadonlyArray<number | Uint8Array>;
  /** Tensors outside the graph that it reads, each holding one more reference. */
  readonly held: readonly GraphNode[];
}

/** A graph about to run: built now or taken from the cache, with the arena its outputs will live in. */
interface GraphRun extends GraphPlan {
  readonly arena: Arena;
  readonly cached?: CachedGraph;
}

/** A graph ready to compute: the pending nodes it computes, its outputs, and the tensors made leaves after it. */
interface PreparedRun {
  readonly order: readonly GraphNode[];
  readonly outputs: readonly GraphNode[];
  readonly graph: GraphRun;
  readonly detached: DetachedTensor[];
}

/** ggml tensors reserved per recorded node (an op may add conts, casts, repeats, views). */
const TENSORS_PER_NODE = 12;
/** Idle graph allocators kept for reuse (a decode step alternates between two: the previous step's outputs live on). */
const SPARE_ALLOCATORS = 2;

/**
 * Owns the lazily recorded graph: creates nodes, uploads leaves, computes pending nodes at sync points with a
 * fresh ggml context and graph allocator per computation, and tracks scopes and live memory.
 */
export class GraphRuntime implements NodeOwner, RecordingHost {
  /** When `attention` uses `flash_attn_ext` (see `GgmlBackendOptions.flashAttention`). */
  readonly flashAttention: FlashAttentionMode;
  /** Where graphs compute (see `GgmlBackendOptions.computeThread`). */
  private readonly computeThread: 'worker' | 'main';
  /** Extra buffer types for `linear` weights (none: every weight in the device's plain buffer). */
  readonly repack: WeightRepack | undefined;
  /** Scope bookkeeping for `Backend.scope` / `keep`. */
  readonly scopes = new ScopeStack();
  private liveTensors = 0;
  private liveBytes = 0;
  private readonly arenas = new Set<Arena>();
  /** Graph allocators whose graphs are gone, kept (at most {@link SPARE_ALLOCATORS}) so their buffers get reused. */
  private readonly spareAllocators: NativePointer[] = [];
  private readonly recycle = (gallocr: NativePointer): void => {
    if (!this.disposed && this.spareAllocators.length < SPARE_ALLOCATORS) this.spareAllocators.push(gallocr);
    else this.api.ggml_gallocr_free(gallocr);
  };
  private disposed = false;
  private readonly afterFree: (() => void) | undefined;
  /** True once the native memory and the device were freed. */
  private freed = false;
  /** True while a graph computes on a worker thread: native frees asked for meanwhile wait for it (see `dispose`). */
  private computing = false;
  /** Reads in the order asked for: one computation at a time. */
  private readonly reads = new SerialQueue();
  private readonly forget = (arena: Arena): void => {
    this.arenas.delete(arena);
  };
  private readonly buft: NativePointer;
  /** Graphs kept for reuse between computations with the same structure (decode steps). */
  private readonly graphs: GraphCache;
  private built = 0;
  /** Graph computations so far (`recordStep` tells by it whether its code computed anything itself). */
  private computations = 0;
  /** Computations that replayed a recorded step. */
  private replayed = 0;
  /** Host-op nodes not computed yet (most sync points have none: no need to look for them). */
  private readonly pendingHost = new Set<GraphNode>();

  constructor(
    /** The bound ggml API. */
    readonly api: GgmlApi,
    /** The ggml backend (device) computing graphs. */
    readonly backend: NativePointer,
    options: {
      reuseGraphs?: boolean;
      flashAttention?: FlashAttentionMode;
      computeThread?: 'worker' | 'main';
      repack?: WeightRepack;
      /** Runs once after the device is freed (releases what the backend used, such as its CPU threadpool). */
      afterFree?: () => void;
    } = {},
  ) {
    this.afterFree = options.afterFree;
    this.flashAttention = options.flashAttention ?? 'auto';
    this.computeThread = options.computeThread ?? 'worker';
    this.repack = options.repack;
    this.buft = api.ggml_backend_get_default_buffer_type(backend);
    this.graphs = new GraphCache(api, options.reuseGraphs === false ? 0 : undefined);
  }

  /**
   * Graphs computed so far: built (recorded, planned and allocated), reused from the {@link GraphCache}, and replayed
   * by recorded steps (`recordStep`).
   */
  graphStats(): { built: number; reused: number; replayed: number } {
    return { built: this.built, reused: this.graphs.hits, replayed: this.replayed };
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
  node(
    op: string,
    fields: { shape: readonly number[]; dtype: TensorDType; inputs: GraphNode[]; recipe: NodeRecipe; ggmlType?: number; readsRepacked?: boolean },
  ): GraphNode {
    this.assertAlive(op);
    for (const [i, input] of fields.inputs.entries()) {
      if (input.isDisposed) throw new BackendError(op, `an input of shape [${input.shape.join(', ')}] was already disposed`);
      if (input.repacked !== undefined && !(i === 1 && fields.readsRepacked === true)) throw repackedMisuse(op, input);
    }
    const ggmlType = fields.ggmlType ?? (fields.dtype === 'int32' ? GGML_TYPE.I32 : GGML_TYPE.F32);
    const node = new GraphNode(this, { op, shape: fields.shape, dtype: fields.dtype, ggmlType, inputs: fields.inputs, recipe: fields.recipe });
    if (fields.recipe.host) this.pendingHost.add(node);
    return this.register(node);
  }

  /**
   * A leaf from host values (raw bytes in ggml's encoding of `ggmlType`, owned by the node from now on). The first
   * graph that reads it allocates it as a graph input and copies the bytes in, so a cached graph reruns with new
   * inputs in the same places.
   */
  input(op: string, fields: { shape: readonly number[]; dtype: TensorDType; ggmlType: number; bytes: Uint8Array }): GraphNode {
    this.assertAlive(op);
    const node = new GraphNode(this, {
      op,
      shape: fields.shape,
      dtype: fields.dtype,
      ggmlType: fields.ggmlType,
      inputs: [],
      recipe: {},
      bytes: fields.bytes.byteLength,
    });
    node.hostBytes = fields.bytes;
    return this.register(node);
  }

  /**
   * A leaf allocated now in its own backend buffer and left unset (`zero`: cleared): the caller writes its
   * `byteLength` bytes (ggml's encoding of `ggmlType`) with `ggml_backend_tensor_set` on `ptr` before any graph reads
   * it (streamed weight uploads), or graphs write it in place (sequence buffers). With `repackable` (a 2-D `linear`
   * weight or a 3-D `experts` stack), an extra buffer type of {@link GraphRuntime.repack} may hold it (`node.repacked` names it): the caller
   * then sets its bytes whole, at once.
   */
  allocate(
    op: string,
    fields: {
      shape: readonly number[];
      dtype: TensorDType;
      ggmlType: number;
      byteLength: number;
      ne?: readonly number[];
      zero?: boolean;
      repackable?: boolean;
    },
  ): GraphNode {
    this.assertAlive(op);
    const node = new GraphNode(this, { ...fields, op, inputs: [], recipe: {}, bytes: fields.byteLength });
    const placed = fields.repackable ? this.repack?.allocateLinear(fields.ggmlType, fields.shape) : undefined;
    if (placed) {
      const arena = new Arena(this.api, placed.ctx, placed.buffer, null, this.forget);
      this.arenas.add(arena);
      arena.retain();
      node.ptr = placed.tensor;
      node.arena = arena;
      node.repacked = placed.name;
    } else {
      this.allocateLeaf(node, fields.byteLength, fields.ne ?? toNe(fields.shape), fields.zero === true);
    }
    return this.register(node);
  }

  /**
   * Frees every arena and the device; the runtime is unusable afterwards (every later call throws `BackendError`).
   * During a computation the native memory it uses is freed once it settles (its `data()` then rejects).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pendingHost.clear();
    this.liveTensors = 0;
    this.liveBytes = 0;
    if (!this.computing) this.freeNative();
  }

  /** {@link NodeOwner.isDisposed}: true once {@link GraphRuntime.dispose} ran (every node then counts as disposed). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** {@link NodeOwner.onUserDispose}: updates the live counters. */
  onUserDispose(node: GraphNode): void {
    this.liveTensors--;
    this.liveBytes -= node.accountedBytes;
  }

  /** {@link NodeOwner.release}: drops one reference; at zero frees the memory and lets go of the inputs. */
  release(node: GraphNode): void {
    node.refs--;
    if (node.refs > 0 || this.disposed) return;
    node.arena?.release();
    node.arena = undefined;
    node.ptr = undefined;
    node.hostBytes = undefined;
    this.pendingHost.delete(node);
    const inputs = node.inputs;
    node.inputs = [];
    for (const input of inputs) this.release(input);
  }

  /** Runs `task` once every read queued before it has settled (its turn in the read queue): no computation runs meanwhile. */
  afterQueued<T>(task: () => Promise<T>): Promise<T> {
    return this.reads.run(task);
  }

  /**
   * {@link NodeOwner.readData}: computes `node` if needed and copies its values out. Reads run one at a time in the
   * order they were asked for (one graph computation in flight per runtime, see {@link GraphRuntime.computeGraph});
   * the node is held until its read settles, so disposing it meanwhile frees nothing the read needs.
   */
  readData(node: GraphNode): Promise<Float32Array | Int32Array> {
    if (this.disposed) return Promise.reject(new BackendError('data', 'the backend was disposed; create a new one'));
    if (node.isDisposed) return Promise.reject(new BackendError('data', 'the tensor was disposed'));
    if (node.repacked !== undefined) return Promise.reject(repackedMisuse('data', node));
    node.refs++;
    return this.reads.run(async () => {
      try {
        this.assertAlive('data');
        return await this.read(node);
      } finally {
        this.release(node);
      }
    });
  }

  /**
   * Reads `node` (its turn in {@link GraphRuntime.reads} has come). `inspect` sees the graph before it computes, when
   * one does (see {@link GraphRuntime.recordStep}).
   */
  private async read(node: GraphNode, inspect?: (run: PreparedRun) => void): Promise<Float32Array | Int32Array> {
    await this.resolveHostNodes(node);
    const count = node.shape.reduce((a, b) => a * b, 1);
    const out = node.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
    if (count === 0) return out;
    const plain = node.ggmlType === GGML_TYPE.F32 || node.ggmlType === GGML_TYPE.I32;
    if (node.isHostInput && plain) {
      new Uint8Array(out.buffer).set(node.hostBytes as Uint8Array);
      return out;
    }
    if (node.ptr !== undefined && plain && this.api.ggml_is_contiguous(node.ptr)) {
      this.api.ggml_backend_tensor_get(node.ptr, out, 0, out.byteLength);
      return out;
    }
    const { final, arena } = await this.computeGraph(node, true, inspect);
    this.api.ggml_backend_tensor_get(final, out, 0, out.byteLength);
    if (arena.unused) arena.free();
    return out;
  }

  /**
   * Computes every pending node needed by `node` in one ggml graph; returns its ggml tensor (made contiguous
   * float32/int32 when `readable`). Three phases: {@link GraphRuntime.prepare} records (or takes from the
   * {@link GraphCache}), plans and allocates the graph and copies its inputs in, on this thread; the computation runs
   * on a worker thread while the event loop goes on; {@link GraphRuntime.finish} then hands the results to their
   * nodes. Callers hold `node` (its pending inputs, and through them everything the graph reads, stay alive) and run
   * one computation at a time ({@link GraphRuntime.reads}).
   */
  private async computeGraph(node: GraphNode, readable: boolean, inspect?: (run: PreparedRun) => void): Promise<{ final: NativePointer; arena: Arena }> {
    const run = this.prepare(node, readable);
    inspect?.(run);
    await this.compute(run.graph.graph, () => run.graph.arena.free());
    return this.finish(run);
  }

  /** Computes `graph` (on the worker thread unless `computeThread` is `main`); `fail` cleans up when it does not compute. */
  private async compute(graph: NativePointer, fail: () => void): Promise<void> {
    this.computations++;
    let status: number;
    this.computing = true;
    try {
      status = this.computeThread === 'main' ? this.api.ggml_backend_graph_compute(this.backend, graph) : await this.api.graphComputeAsync(this.backend, graph);
    } catch (cause) {
      if (!this.disposed) fail();
      throw new BackendError('data', `ggml graph compute could not run: ${String(cause)}`, { cause });
    } finally {
      this.computing = false;
      if (this.disposed) this.freeNative();
    }
    if (this.disposed) throw new BackendError('data', 'the backend was disposed during the computation; create a new one');
    if (status !== 0) {
      fail();
      throw new BackendError('data', `ggml graph compute failed with status ${status}`);
    }
  }

  /**
   * `Backend.recordStep`: runs `record`, computes and reads the node it returns (then disposes it), and records that
   * computation when it can be replayed: `record` computed nothing itself, the graph is one the {@link GraphCache}
   * keeps, it has no host ops, and everything it leaves in its own memory is the output, a declared input, or a view
   * of memory from outside the graph (a cache buffer). `declared` are host inputs (see {@link GraphRuntime.input}).
   */
  async recordStep(declared: readonly GraphNode[], record: () => Promise<Tensor> | Tensor): Promise<StepRecording> {
    this.assertAlive('recordStep');
    for (const d of declared) {
      const plain = d.ggmlType === GGML_TYPE.F32 || d.ggmlType === GGML_TYPE.I32;
      if (!d.isHostInput || !plain || d.isDisposed) {
        throw new BackendError('recordStep', 'declared inputs must be live tensors made by tensor() (host values) that no computation has read yet');
      }
    }
    const before = this.computations;
    const out = await record();
    if (!(out instanceof GraphNode) || out.isDisposed) throw new BackendError('recordStep', 'record must return a live tensor of this ggml backend');
    const quiet = this.computations === before;
    out.refs++;
    try {
      return await this.reads.run(async () => {
        this.assertAlive('recordStep');
        const hostOps = this.pendingHost.size > 0 && collectPending(out).some((n) => n.recipe.host);
        if (!quiet || !this.graphs.enabled || hostOps) return { values: await this.read(out), shape: out.shape, step: undefined };
        let captured: CapturedStep | undefined;
        let values: Float32Array | Int32Array;
        try {
          values = await this.read(out, (run) => (captured = this.capture(run, out, declared)));
        } catch (error) {
          for (const h of captured?.held ?? []) this.release(h);
          throw error;
        }
        if (!captured) return { values, shape: out.shape, step: undefined };
        captured.entry.pinned = true;
        const inputs = declared.map((d) => ({ count: sizeOf(d.shape), int32: d.dtype === 'int32' }));
        const step = new RecordedGraph(this, captured.entry, inputs, captured.sources, out.shape, out.dtype === 'int32', captured.held);
        return { values, shape: out.shape, step };
      });
    } finally {
      this.release(out);
      out.dispose();
    }
  }

  /**
   * What a replay of the graph about to compute `out` needs, taken before it computes (`finish` then lets computed
   * nodes drop their inputs and inputs their bytes): where each input's values come from (a declared input's index, or
   * the bytes it holds now), and the tensors it reads from outside, held from now on. Undefined when the graph is not
   * a kept one, or leaves in its own memory anything but `out`, declared inputs and views of outside memory.
   */
  private capture(run: PreparedRun, out: GraphNode, declared: readonly GraphNode[]): CapturedStep | undefined {
    const { order, graph } = run;
    const inside = new Set(order);
    if (!graph.cached || !run.outputs.every((o) => o === out || declared.includes(o) || readsOutside(o, inside))) return undefined;
    const sources = graph.inputs.map((i) => {
      const k = declared.indexOf(order[i]);
      return k >= 0 ? k : (order[i].hostBytes as Uint8Array);
    });
    const held = new Set<GraphNode>();
    for (const n of order) for (const input of n.inputs) if (!inside.has(input)) held.add(input);
    for (const h of held) h.refs++;
    return { entry: graph.cached, sources, held: [...held] };
  }

  /** {@link RecordingHost.replayGraph}: reruns a recorded graph with new input bytes, in its turn among the reads. */
  replayGraph(entry: CachedGraph, bytes: readonly Uint8Array[], output: { count: number; int32: boolean }): Promise<StepValues> {
    if (this.disposed) return Promise.reject(new BackendError('RecordedStep.replay', 'the backend was disposed; create a new one'));
    return this.reads.run(async () => {
      this.assertAlive('RecordedStep.replay');
      const api = this.api;
      const detached = entry.detached ?? [];
      for (const d of detached) d.fields.set(d.saved);
      for (const [k, i] of entry.inputs.entries()) {
        const b = bytes[k];
        if (b.byteLength > 0) api.ggml_backend_tensor_set(entry.tensors[i], b, 0, b.byteLength);
      }
      try {
        await this.compute(entry.graph, () => {});
      } finally {
        if (!this.disposed) for (const d of detached) detachTensor(d.fields);
      }
      this.replayed++;
      const values = output.int32 ? new Int32Array(output.count) : new Float32Array(output.count);
      if (values.length > 0) api.ggml_backend_tensor_get(entry.final, values, 0, values.byteLength);
      return values;
    });
  }

  /** {@link RecordingHost.releaseRecording}: unpins the graph and lets go of the tensors the recording held. */
  releaseRecording(entry: CachedGraph, held: readonly GraphNode[]): void {
    entry.pinned = false;
    if (this.disposed) return;
    for (const h of held) this.release(h);
  }

  /** Builds or reuses the graph computing `node` and copies its host inputs in (synchronous). */
  private prepare(node: GraphNode, readable: boolean): PreparedRun {
    const api = this.api;
    const order = collectPending(node);
    const outputs = order.filter((n) => (!n.isDisposed || n === node) && !n.recipe.effect);
    const outputSet = new Set(outputs);
    const cached = this.graphs.enabled ? this.graphs.take(order, node, outputSet, readable) : undefined;
    const graph = cached ? this.runOf(cached) : this.build(order, node, outputs, outputSet, readable);
    // the tensors made leaves after a run (see finish), with their bytes as built; a reused graph gets them back first
    const detached = cached?.detached ?? this.opFieldsOf(graph.detach);
    if (cached) for (const d of detached) d.fields.set(d.saved);
    for (const i of graph.inputs) {
      const bytes = order[i].hostBytes as Uint8Array;
      if (bytes.byteLength > 0) api.ggml_backend_tensor_set(graph.tensors[i], bytes, 0, bytes.byteLength);
    }
    return { order, outputs, graph, detached };
  }

  /** After a computation: outputs get their memory, effects alias their buffers, computed nodes let go of inputs. */
  private finish({ order, outputs, graph, detached }: PreparedRun): { final: NativePointer; arena: Arena } {
    // outputs, and the tensors their views read, become leaves: later graphs may meet them (see `build`)
    for (const d of detached) detachTensor(d.fields);
    if (graph.cached) graph.cached.detached = detached;
    for (const w of order) {
      if (!w.recipe.effect) continue;
      const inputs = w.inputs;
      w.ptr = inputs[0].ptr;
      w.storageId = inputs[0].storageId;
      w.inputs = [];
      for (const input of inputs) this.release(input);
    }
    const { arena } = graph;
    for (const i of graph.outputs) {
      const o = order[i];
      o.hostBytes = undefined; // in backend memory now (inputs that are not outputs keep their bytes for later graphs)
      o.ptr = graph.tensors[i];
      o.arena = arena;
      arena.retain();
    }
    const borrowed = new Set(graph.borrowed.map((i) => order[i]));
    for (const o of outputs) {
      if (o.recipe.view || borrowed.has(o)) continue;
      const inputs = o.inputs;
      o.inputs = [];
      for (const input of inputs) this.release(input);
    }
    return { final: graph.final, arena };
  }

  /** Frees every arena, kept graph and spare allocator, and the device (once). */
  private freeNative(): void {
    if (this.freed) return;
    this.freed = true;
    for (const arena of [...this.arenas]) arena.free();
    this.arenas.clear();
    this.graphs.dispose();
    for (const gallocr of this.spareAllocators.splice(0)) this.api.ggml_gallocr_free(gallocr);
    this.api.ggml_backend_free(this.backend);
    this.afterFree?.();
  }

  /**
   * Records the pending `order` into a new ggml context and graph and allocates it. When a graph of the same structure
   * was built recently, this one is kept in the cache for the next computation with that structure; otherwise its
   * memory goes with its arena.
   */
  private build(order: readonly GraphNode[], node: GraphNode, outputs: readonly GraphNode[], outputSet: ReadonlySet<GraphNode>, readable: boolean): GraphRun {
    // the structure is taken before recording: recording emits tensors only, it changes no node
    const seen = this.graphs.enabled ? this.graphs.remember(order, node, outputSet, readable) : undefined;
    const api = this.api;
    this.built++;
    const slots = order.reduce((n, o) => n + Math.max(TENSORS_PER_NODE, o.recipe.tensors ?? 0), 64);
    const graphSize = slots + order.reduce((n, o) => n + o.inputs.length, 0);
    const ctx = api.ggml_init({
      mem_size: api.ggml_tensor_overhead() * slots + api.ggml_graph_overhead_custom(graphSize, false),
      mem_buffer: null,
      no_alloc: true,
    });
    const emitter = new Emitter(api, ctx);
    const emitted = new Map<GraphNode, NativePointer>();
    const ptrOf = (n: GraphNode): NativePointer => n.ptr ?? emitted.get(n);
    const inputs: number[] = [];
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      if (n.hostBytes !== undefined) {
        const ne = toNe(n.shape);
        const t = api.ggml_new_tensor_4d(ctx, n.ggmlType, ne[0], ne[1], ne[2], ne[3]);
        api.ggml_set_input(t);
        emitted.set(n, t);
        inputs.push(i);
        continue;
      }
      const emit = n.recipe.emit;
      if (!emit) throw new BackendError('data', 'internal: a pending node has no ggml recipe');
      emitted.set(n, emit(emitter, n.inputs.map(ptrOf)));
    }
    const detach: NativePointer[] = [];
    const markOutput = (n: GraphNode): void => {
      const p = emitted.get(n);
      if (p === undefined) return;
      api.setOutputChain(p);
      detach.push(p);
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
    for (const o of order) if (outputSet.has(o) || o.recipe.effect) api.ggml_build_forward_expand(graph, emitted.get(o));
    api.ggml_build_forward_expand(graph, final);
    const gallocr = this.spareAllocators.pop() ?? api.ggml_gallocr_new(this.buft);
    // A recycled allocator keeps the placement it planned for its previous graph and, when the node and leaf counts
    // match and every tensor fits, `ggml_gallocr_alloc_graph` reuses it as is — but that plan knew the previous
    // graph's edges and outputs, not this one's, so live tensors could share memory. Plan afresh every time (`reserve`
    // only grows the buffer, it never frees and reallocates one that is big enough).
    if (!api.ggml_gallocr_reserve(gallocr, graph) || !api.ggml_gallocr_alloc_graph(gallocr, graph)) {
      new Arena(api, ctx, null, gallocr, this.forget, this.recycle).free();
      throw new BackendError('data', 'ggml could not allocate the compute graph (out of memory?)');
    }
    const tensors = order.map((n) => emitted.get(n));
    const outputAt = order.flatMap((n, i) => (outputSet.has(n) ? [i] : []));
    const borrowed = order.flatMap((n, i) => (outputSet.has(n) && !n.recipe.view && older.has(api.storageAddress(tensors[i])) ? [i] : []));
    const plan = { graph, tensors, final, inputs, borrowed, outputs: outputAt, detach };
    if (seen?.seenBefore) {
      const entry: CachedGraph = { ...plan, signature: seen.signature, ctx, gallocr, detached: undefined, busy: true };
      if (this.graphs.add(entry)) return this.runOf(entry);
    }
    const arena = new Arena(api, ctx, null, gallocr, this.forget, this.recycle);
    this.arenas.add(arena);
    return { ...plan, arena };
  }

  /** Views of the op fields of `tensors` and of their view sources, with copies taken before any is detached. */
  private opFieldsOf(tensors: readonly NativePointer[]): DetachedTensor[] {
    const out: DetachedTensor[] = [];
    for (const p of tensors) {
      for (let q: NativePointer | null = p; q; q = this.api.viewSource(q)) {
        const fields = this.api.opFields(q);
        out.push({ fields, saved: fields.slice() });
      }
    }
    return out;
  }

  /** A run of a cached graph: its arena owns no memory and, when freed, hands the graph back to the cache. */
  private runOf(entry: CachedGraph): GraphRun {
    const arena = new Arena(this.api, null, null, null, (a) => {
      this.forget(a);
      entry.busy = false;
    });
    this.arenas.add(arena);
    return { ...entry, arena, cached: entry };
  }

  /** Computes, on the host, every pending host-op node `node` depends on (their inputs first). */
  private async resolveHostNodes(node: GraphNode): Promise<void> {
    while (this.pendingHost.size > 0) {
      const host = collectPending(node).find((n) => n.recipe.host && n.hostBytes === undefined);
      if (!host?.recipe.host) return;
      const values = [];
      for (const input of host.inputs) values.push(await this.read(input));
      const result = host.recipe.host(values);
      this.pendingHost.delete(host);
      if (host.ptr === undefined) {
        host.hostBytes = new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
        const inputs = host.inputs;
        host.inputs = [];
        for (const input of inputs) this.release(input);
      }
    }
  }

  /** Allocates `node`'s ggml tensor in a buffer of its own (cleared when `zero`). */
  private allocateLeaf(node: GraphNode, byteLength: number, ne: readonly number[], zero: boolean): void {
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
    if (size > 0 && zero) api.ggml_backend_buffer_clear(buffer, 0);
    const arena = new Arena(api, ctx, buffer, null, this.forget);
    this.arenas.add(arena);
    arena.retain();
    node.ptr = t;
    node.arena = arena;
  }

  private register(node: GraphNode): GraphNode {
    this.liveTensors++;
    this.liveBytes += node.accountedBytes;
    this.scopes.track(node);
    return node;
  }
}

/**
 * True when `node` (an output of a graph whose pending nodes are `inside`) is a view of memory from outside the graph:
 * views and writes down to a tensor computed before it (a cache buffer). A replay of the graph leaves such outputs'
 * values where they are; any other output lives in the graph's own memory, which a replay overwrites.
 */
function readsOutside(node: GraphNode, inside: ReadonlySet<GraphNode>): boolean {
  if (!node.recipe.view) return false;
  let n: GraphNode | undefined = node;
  while (n && inside.has(n)) {
    if (!n.recipe.view && !n.recipe.effect) return false;
    n = n.inputs[0];
  }
  return n !== undefined;
}

/** The error for an op (or a read) of a weight held in a repacked layout, which only `ggml_mul_mat` can read. */
function repackedMisuse(op: string, weight: GraphNode): BackendError {
  return new BackendError(
    op,
    `the weight [${weight.shape.join(', ')}] is stored repacked (${weight.repacked}): only linear and matmul with transposeB (a 2-D weight) or expertMatmul (an experts stack) can read it; ` +
      'load it with role "plain", or create the backend with repackWeights: false',
  );
}
