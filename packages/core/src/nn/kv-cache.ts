import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { SequenceBuffer, SequenceBufferStorage } from '../backend/sequence-buffer.js';
import { BackendError } from '../errors/backend-error.js';

/** Options of a {@link KVCache}. */
export interface KVCacheOptions {
  /**
   * Element type of cached values on backends with in-place buffers ({@link Backend.createSequenceBuffer}):
   * `float16` halves the cache's memory at the cost of rounding keys and values. Default `float32` (exact).
   */
  storage?: SequenceBufferStorage;
  /**
   * Entries read as attention values (`v` of `Backend.attention`), e.g. `['v']`: backends may lay them out so that
   * attention reads them without a transposed copy. Only a hint; results are the same.
   */
  valueEntries?: readonly string[];
  /**
   * Positions allocated by the first update, at least. Capacities are multiples of `min(256, initialCapacity)` and
   * double when full. Default 256.
   */
  initialCapacity?: number;
}

/** Positions are allocated in multiples of this. */
const CAPACITY_STEP = 256;

/**
 * Per-layer cache of past keys and values (or any named per-token tensors, such as MLA's compressed latent),
 * passed into a model's `forward`. Modules keep no cache state of their own.
 *
 * Entries grow along a sequence axis; {@link KVCache.update} appends new positions and returns the full tensors.
 * On backends with {@link Backend.createSequenceBuffer} the values live in preallocated backend buffers written in
 * place (capacity doubling when full, so growth costs amortized O(1) per position); elsewhere they grow by concat.
 * The cache owns its tensors: they survive backend scopes and are freed by {@link KVCache.dispose}.
 */
export class KVCache {
  private readonly layers: Array<Map<string, Tensor>>;
  private readonly seqAxes: Array<Map<string, number>>;
  private readonly buffers: Array<Map<string, SequenceBuffer>>;
  private readonly storage: SequenceBufferStorage;
  private readonly initialCapacity: number;
  private readonly valueEntries: ReadonlySet<string>;

  constructor(
    private readonly backend: Backend,
    /** Number of decoder layers. */
    readonly numLayers: number,
    options: KVCacheOptions = {},
  ) {
    this.layers = Array.from({ length: numLayers }, () => new Map());
    this.seqAxes = Array.from({ length: numLayers }, () => new Map());
    this.buffers = Array.from({ length: numLayers }, () => new Map());
    this.storage = options.storage ?? 'float32';
    this.initialCapacity = options.initialCapacity ?? CAPACITY_STEP;
    this.valueEntries = new Set(options.valueEntries ?? []);
    if (!Number.isInteger(this.initialCapacity) || this.initialCapacity < 1) {
      throw new BackendError('KVCache', `initialCapacity must be a positive integer, got ${options.initialCapacity}`);
    }
  }

  /** Positions cached so far (read it before the current forward appends to layer 0). */
  get length(): number {
    const first = this.layers[0]?.entries().next().value as [string, Tensor] | undefined;
    if (!first) return 0;
    const axis = this.seqAxes[0].get(first[0]) ?? 0;
    return first[1].shape[axis];
  }

  /**
   * Appends `entries` (each with the new positions along `seqAxis`) to `layer` and returns the full tensors.
   * Default `seqAxis` 2 suits `[batch, heads, seq, dim]`.
   */
  update<K extends string>(layer: number, entries: Record<K, Tensor>, seqAxis = 2): Record<K, Tensor> {
    const store = this.layers[layer];
    if (!store) throw new BackendError('KVCache.update', `the cache has ${this.numLayers} layers; layer ${layer} does not exist`);
    const out = {} as Record<K, Tensor>;
    for (const name of Object.keys(entries) as K[]) {
      const next = entries[name];
      const prev = store.get(name);
      const full = this.backend.createSequenceBuffer ? this.appendInPlace(layer, name, prev, next, seqAxis) : prev ? this.backend.concat([prev, next], seqAxis) : next;
      this.backend.keep(full);
      if (prev) prev.dispose();
      store.set(name, full);
      this.seqAxes[layer].set(name, seqAxis);
      out[name] = full;
    }
    return out;
  }

  /** Appends `next` to the layer's buffer for `name`, moving to a buffer twice as large when it is full. */
  private appendInPlace(layer: number, name: string, prev: Tensor | undefined, next: Tensor, seqAxis: number): Tensor {
    const create = this.backend.createSequenceBuffer as NonNullable<Backend['createSequenceBuffer']>;
    const axis = seqAxis < 0 ? seqAxis + next.shape.length : seqAxis;
    const buffers = this.buffers[layer];
    let buffer = buffers.get(name);
    const needed = (prev?.shape[axis] ?? 0) + next.shape[axis];
    if (!buffer || needed > buffer.capacity) {
      const wanted = Math.max(needed, this.initialCapacity, 2 * (buffer?.capacity ?? 0));
      const step = Math.min(CAPACITY_STEP, this.initialCapacity);
      const capacity = Math.ceil(wanted / step) * step;
      const role = this.valueEntries.has(name) ? 'values' : 'keys';
      const grown = create.call(this.backend, { shape: next.shape, axis, capacity, storage: this.storage, role });
      if (prev) grown.append(prev).dispose(); // the old positions, copied once
      buffer?.dispose();
      buffer = grown;
      buffers.set(name, buffer);
    }
    return buffer.append(next);
  }

  /** The cached tensor `name` of `layer`, if any. */
  get(layer: number, name: string): Tensor | undefined {
    return this.layers[layer]?.get(name);
  }

  /** Frees every cached tensor; the cache is empty afterwards. */
  dispose(): void {
    for (const store of this.layers) {
      for (const t of store.values()) t.dispose();
      store.clear();
    }
    for (const buffers of this.buffers) {
      for (const b of buffers.values()) b.dispose();
      buffers.clear();
    }
  }
}
