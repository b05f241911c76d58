import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { SequenceBuffer, SequenceBufferStorage } from '../backend/sequence-buffer.js';
import { BackendError } from '../errors/backend-error.js';
import { attentionMaskValues, buildAttentionMask } from './attention-mask.js';

/** Options of a {@link KVCache}. */
export interface KVCacheOptions {
  /**
   * Element type of cached values on backends with in-place buffers ({@link Backend.createSequenceBuffer}):
   * `float16` halves the cache's memory at the cost of rounding keys and values. Default `float32` (exact).
   */
  storage?: SequenceBufferStorage;
  /**
   * Entries read as attention values (`v` of `Backend.attention`), e.g. `['v']`: backends may lay them out so that
   * attention reads them without a transposed copy. Only a hint; results are the same. Models with standard attention
   * need not name them: {@link KVCache.updateKeysValues} marks its values.
   */
  valueEntries?: readonly string[];
  /**
   * Positions allocated by the first update, at least. Capacities are multiples of `min(256, initialCapacity)`
   * (rounded up further to a multiple of {@link KVCacheOptions.padding}) and double when full. Default 256.
   * {@link KVCache.reserve} raises it for a known length.
   */
  initialCapacity?: number;
  /**
   * Positions the cache will never need to exceed (a model's context length): capacity growth stops there (rounded
   * up to the padding), so doubling never allocates past the context. Default: unbounded.
   */
  maxPositions?: number;
  /**
   * On backends with {@link Backend.createSequenceBuffer}, an {@link KVCache.update} that appends one position (a
   * decode step) returns the cached entries padded along the sequence axis to a multiple of `padding` positions, or
   * to the positions {@link KVCache.reserve} asked for (or `maxPositions`) when those are fewer and cover them. The
   * padded tail reads as zero and MUST be masked out by the caller's attention mask, e.g.
   * `buildAttentionMask(backend, rows, n, { keyLength: cache.keyLength(n) })` built before the update. Consecutive
   * decode steps then have identical shapes, which lets graph backends reuse one compiled graph (llama.cpp pads its
   * cache to 256). Updates of several positions (a prompt) return exact lengths: their graphs are not repeated, and
   * padding would only add attention work. Backends without sequence buffers always return exact lengths. A positive
   * integer; default the backend's {@link Backend.kvCachePadding} (ggml: 256), else 1 (no padding).
   * {@link KVCache.attentionMask} builds a mask that covers (and hides) the padding.
   */
  padding?: number;
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
  private readonly buffers: Array<Map<string, SequenceBuffer>>;
  private readonly storage: SequenceBufferStorage;
  private readonly initialCapacity: number;
  private readonly maxPositions: number;
  /** Positions {@link KVCache.reserve} asked for. */
  private reserved = 0;
  private readonly padding: number;
  private readonly valueEntries: Set<string>;
  /** Real (unpadded) positions of each entry. */
  private readonly lengths: Array<Map<string, number>>;
  /** The int32 `[1]` write position of decode steps ({@link KVCache.writeSlot}) and the length it holds. */
  private slot: { tensor: Tensor; at: number } | undefined;
  /**
   * The entries the last one-position updates wrote and the position they wrote: what {@link KVCache.advance} counts
   * again after each replay of that step, and what {@link KVCache.retract} undoes.
   */
  private lastStep: { at: number; entries: Array<{ layer: number; name: string; axis: number }> } | undefined;

  constructor(
    private readonly backend: Backend,
    /** Number of decoder layers. */
    readonly numLayers: number,
    options: KVCacheOptions = {},
  ) {
    this.layers = Array.from({ length: numLayers }, () => new Map());
    this.buffers = Array.from({ length: numLayers }, () => new Map());
    this.lengths = Array.from({ length: numLayers }, () => new Map());
    this.storage = options.storage ?? 'float32';
    this.initialCapacity = options.initialCapacity ?? CAPACITY_STEP;
    this.valueEntries = new Set(options.valueEntries ?? []);
    if (!Number.isInteger(this.initialCapacity) || this.initialCapacity < 1) {
      throw new BackendError('KVCache', `initialCapacity must be a positive integer, got ${options.initialCapacity}`);
    }
    this.padding = options.padding ?? backend.kvCachePadding ?? 1;
    if (!Number.isInteger(this.padding) || this.padding < 1) {
      throw new BackendError('KVCache', `padding must be a positive integer (1 for none), got ${options.padding}`);
    }
    this.maxPositions = options.maxPositions ?? Number.POSITIVE_INFINITY;
    if (!(this.maxPositions >= 1)) throw new BackendError('KVCache', `maxPositions must be at least 1, got ${options.maxPositions}`);
  }

  /**
   * Sizes the cache for `positions` in all (a prompt and the tokens it may generate): the next allocation of each
   * in-place buffer takes at least that many positions (capped at {@link KVCacheOptions.maxPositions}, rounded up to
   * the padding), so a cache reserved before the prompt never grows — growth copies the cached positions into a
   * buffer twice as large, and both are alive while it copies. Backends without sequence buffers ignore it.
   */
  reserve(positions: number): void {
    if (!Number.isInteger(positions) || positions < 0) throw new BackendError('KVCache.reserve', `positions must be an integer >= 0, got ${positions}`);
    this.reserved = Math.max(this.reserved, positions);
  }

  /**
   * On lazy backends (`capabilities.lazy`: graphs recorded and computed at the next read), computes the pending
   * writes of the updates so far, by reading one value of every cached entry in one computation; elsewhere it does
   * nothing. Call it after a forward pass whose output is not read (a prefill chunk that needs no logits): otherwise
   * that chunk's work joins the next computation, and a prompt prefilled in chunks would compute as one graph over
   * every chunk.
   */
  async flush(): Promise<void> {
    const b = this.backend;
    if (!b.capabilities.lazy) return;
    const entries = this.layers.flatMap((store) => [...store.values()]).filter((t) => !t.shape.includes(0));
    if (entries.length === 0) return;
    // one value of each entry, in one tensor: one computation covers every pending write
    const probe = b.scope(() =>
      b.concat(
        entries.map((t) =>
          b.reshape(
            b.slice(
              t,
              t.shape.map(() => 0),
              t.shape.map(() => 1),
            ),
            [1],
          ),
        ),
        0,
      ),
    );
    try {
      await probe.data();
    } finally {
      probe.dispose();
    }
  }

  /** Positions cached so far, without padding (read it before the current forward appends to layer 0). */
  get length(): number {
    const first = this.lengths[0]?.values().next().value as number | undefined;
    return first ?? 0;
  }

  /**
   * The sequence length of the tensors the next {@link KVCache.update} of layer 0 with `newPositions` new positions
   * returns: `length + newPositions`, rounded up to a multiple of {@link KVCacheOptions.padding} (but not past the
   * positions {@link KVCache.reserve} sized it for, or {@link KVCacheOptions.maxPositions}, when those cover it) for one new
   * position on backends with sequence buffers. Build the attention mask with it (read it before the forward updates
   * layer 0).
   */
  keyLength(newPositions: number): number {
    return this.padded(this.length + newPositions, newPositions);
  }

  /**
   * The additive causal + padding mask `[batch, 1, queryLength, keyLength(queryLength)]` for the next forward pass of
   * `queryLength` new positions: `rows` is `[batch][length + queryLength]` (1 = real token, 0 = left padding) over the
   * cached and the new positions. Keys past the real positions (the cache's padding) are masked out. Build it before
   * the forward pass updates layer 0. The caller disposes the tensor.
   */
  attentionMask(rows: readonly (readonly number[])[], queryLength: number): Tensor {
    return buildAttentionMask(this.backend, rows, queryLength, { keyLength: this.maskKeyLength('KVCache.attentionMask', rows, queryLength) });
  }

  /** {@link KVCache.attentionMask}'s values on the host, row-major (what a replayed step passes for the mask). */
  attentionMaskValues(rows: readonly (readonly number[])[], queryLength: number): Float32Array {
    return attentionMaskValues(rows, queryLength, { keyLength: this.maskKeyLength('KVCache.attentionMaskValues', rows, queryLength) });
  }

  /** The padded key length of a mask over `rows` (`[batch][cached + new]`), after checking they cover the cache. */
  private maskKeyLength(op: string, rows: readonly (readonly number[])[], queryLength: number): number {
    const total = rows[0]?.length ?? 0;
    // a cache without layers (a model with no attention yet) holds nothing to check against
    if (this.numLayers > 0 && total !== this.length + queryLength) {
      throw new BackendError(
        op,
        `the row mask covers ${total} positions; the cache holds ${this.length} and ${queryLength} are new (${this.length + queryLength})`,
      );
    }
    return this.padded(total, queryLength);
  }

  /**
   * On backends with sequence buffers: the int32 `[1]` tensor holding the cache's length, where every one-position
   * {@link KVCache.update} at this length writes (`SequenceBufferAppendOptions.slot`): one input shared by every layer,
   * so a replayed decode step (`RecordedStep.replay`) writes its position by a new value of this input alone. Made on
   * first use at each length; owned by the cache. `undefined` on backends without sequence buffers.
   */
  writeSlot(): Tensor | undefined {
    return this.backend.createSequenceBuffer ? this.slotAt(this.length) : undefined;
  }

  /** The slot tensor holding `at` (made when the current one holds another length). */
  private slotAt(at: number): Tensor {
    if (this.slot?.at !== at) {
      this.slot?.tensor.dispose();
      const tensor = this.backend.keep(this.backend.tensor(Int32Array.of(at), [1], 'int32'));
      this.slot = { tensor, at };
    }
    return this.slot.tensor;
  }

  /**
   * Counts one more position in every entry that the last decode step wrote at {@link KVCache.writeSlot}, without
   * writing anything: a replay of that step (`RecordedStep.replay`, with the slot input set to {@link KVCache.length})
   * wrote them. Keep calling it after each replay; an `update` after a full forward pass goes on from there. A cache
   * the step wrote nothing to (a model without attention layers) has nothing to count.
   */
  advance(): void {
    for (const { layer, name } of this.lastStep?.entries ?? []) {
      const buffer = this.buffers[layer].get(name);
      if (!buffer) continue; // grown by concat: no slot, so no replay wrote it
      const lengths = this.lengths[layer];
      lengths.set(name, (lengths.get(name) ?? 0) + 1);
      buffer.advance(1);
    }
    this.slot?.tensor.dispose();
    this.slot = undefined;
  }

  /**
   * Undoes the last decode step's updates (the one-position {@link KVCache.update}s at the current length, after its
   * forward pass, not after {@link KVCache.advance}): the cache holds the positions it held before them, and the next
   * update writes that position again. A decode session calls it when the model rejects a step's results
   * (`DecoderModel.rejectsStep`) before running the step again.
   *
   * @throws `BackendError` when the last updates were not one position each, or were already undone or counted
   */
  retract(): void {
    const step = this.lastStep;
    if (!step || step.entries.some(({ layer, name }) => this.lengths[layer].get(name) !== step.at + 1)) {
      throw new BackendError('KVCache.retract', 'the last updates did not append one position each (nothing to undo)');
    }
    this.lastStep = undefined;
    for (const { layer, name, axis } of step.entries) {
      this.lengths[layer].set(name, step.at);
      const buffer = this.buffers[layer].get(name);
      if (buffer) {
        buffer.rewind(1);
        continue;
      }
      // grown by concat: keep the positions before the step
      const store = this.layers[layer];
      const full = store.get(name) as Tensor;
      const size = full.shape.map((d, i) => (i === axis ? step.at : d));
      const kept = this.backend.keep(
        this.backend.slice(
          full,
          size.map(() => 0),
          size,
        ),
      );
      full.dispose();
      store.set(name, kept);
    }
    // the write slot (if any) still holds `step.at`: the step run again writes there
  }

  /**
   * {@link KVCache.update} for standard attention: appends `keys` and `values` (`[batch, kvHeads, seq, headDim]`) to
   * `layer` and returns every cached position (padded like `update`). `values` are laid out for attention's value read.
   */
  updateKeysValues(layer: number, entries: { keys: Tensor; values: Tensor }): { keys: Tensor; values: Tensor } {
    this.valueEntries.add('values');
    return this.update(layer, entries, 2);
  }

  /**
   * Appends `entries` (each with the new positions along `seqAxis`) to `layer` and returns the full tensors: every
   * cached position, then (with {@link KVCacheOptions.padding} on backends with sequence buffers) zeros up to
   * {@link KVCache.keyLength}. Default `seqAxis` 2 suits `[batch, heads, seq, dim]`.
   */
  update<K extends string>(layer: number, entries: Record<K, Tensor>, seqAxis = 2): Record<K, Tensor> {
    const store = this.layers[layer];
    if (!store) throw new BackendError('KVCache.update', `the cache has ${this.numLayers} layers; layer ${layer} does not exist`);
    const out = {} as Record<K, Tensor>;
    const lengths = this.lengths[layer];
    for (const name of Object.keys(entries) as K[]) {
      const next = entries[name];
      const prev = store.get(name);
      const axis = seqAxis < 0 ? seqAxis + next.shape.length : seqAxis;
      const cached = lengths.get(name) ?? 0;
      const length = cached + next.shape[axis];
      if (next.shape[axis] === 1) {
        if (this.lastStep?.at !== cached) this.lastStep = { at: cached, entries: [] };
        this.lastStep.entries.push({ layer, name, axis });
      } else {
        this.lastStep = undefined;
      }
      const full = this.backend.createSequenceBuffer
        ? this.appendInPlace(layer, name, prev, cached, next, axis, this.padded(length, next.shape[axis]))
        : prev
          ? this.backend.concat([prev, next], axis)
          : next;
      this.backend.keep(full);
      if (prev) prev.dispose();
      store.set(name, full);
      lengths.set(name, length);
      out[name] = full;
    }
    return out;
  }

  /**
   * `length` rounded up to a multiple of the padding where padding applies (one new position, sequence buffers), but
   * not past the reserved positions or the context when `length` is within them.
   */
  private padded(length: number, newPositions: number): number {
    if (!this.backend.createSequenceBuffer || this.padding === 1 || newPositions !== 1) return length;
    // never past the positions the cache was sized for ({@link KVCache.reserve}, the context): llama.cpp caps its
    // padded key count at its context size the same way, and a short generation then attends over what it can reach
    const bound = Math.min(
      this.reserved >= length ? this.reserved : Number.POSITIVE_INFINITY,
      this.maxPositions >= length ? this.maxPositions : Number.POSITIVE_INFINITY,
    );
    return Math.min(Math.ceil(length / this.padding) * this.padding, bound);
  }

  /**
   * Appends `next` to the layer's buffer for `name` (holding `cached` real positions, viewed as `prev`), moving to a
   * buffer twice as large when it is full, and returns the first `viewLength` positions.
   */
  private appendInPlace(layer: number, name: string, prev: Tensor | undefined, cached: number, next: Tensor, axis: number, viewLength: number): Tensor {
    const create = this.backend.createSequenceBuffer as NonNullable<Backend['createSequenceBuffer']>;
    const buffers = this.buffers[layer];
    let buffer = buffers.get(name);
    if (!buffer || viewLength > buffer.capacity) {
      const wanted = Math.max(viewLength, this.initialCapacity, this.reserved, 2 * (buffer?.capacity ?? 0));
      const step = Math.min(CAPACITY_STEP, this.initialCapacity);
      // a multiple of the step, then of the padding: a padded view never exceeds the capacity; never past the
      // largest padded view of maxPositions, never below this view
      const rounded = Math.ceil((Math.ceil(wanted / step) * step) / this.padding) * this.padding;
      const capacity = Math.max(viewLength, Math.min(rounded, Math.ceil(this.maxPositions / this.padding) * this.padding));
      const role = this.valueEntries.has(name) ? 'values' : 'keys';
      const grown = create.call(this.backend, { shape: next.shape, axis, capacity, storage: this.storage, role });
      if (prev) {
        // the old positions, copied once (without the padded tail of the previous view)
        const size = prev.shape.map((d, i) => (i === axis ? cached : d));
        const real =
          prev.shape[axis] === cached
            ? prev
            : this.backend.slice(
                prev,
                size.map(() => 0),
                size,
              );
        grown.append(real).dispose();
        if (real !== prev) real.dispose();
      }
      buffer?.dispose();
      buffer = grown;
      buffers.set(name, buffer);
    }
    const slot = next.shape[axis] === 1 ? this.slotAt(cached) : undefined;
    return buffer.append(next, { viewLength: this.padding === 1 ? undefined : viewLength, slot });
  }

  /** The cached tensor `name` of `layer`, if any (as the last update returned it, padding included). */
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
    for (const lengths of this.lengths) lengths.clear();
    this.slot?.tensor.dispose();
    this.slot = undefined;
    this.lastStep = undefined;
  }
}
