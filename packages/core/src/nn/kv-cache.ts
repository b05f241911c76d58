import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { BackendError } from '../errors/backend-error.js';

/**
 * Per-layer cache of past keys and values (or any named per-token tensors, such as MLA's compressed latent),
 * passed into a model's `forward`. Modules keep no cache state of their own.
 *
 * Entries grow along a sequence axis; {@link KVCache.update} appends new positions and returns the full tensors.
 * The cache owns its tensors: they survive backend scopes and are freed by {@link KVCache.dispose}.
 */
export class KVCache {
  private readonly layers: Array<Map<string, Tensor>>;
  private readonly seqAxes: Array<Map<string, number>>;

  constructor(
    private readonly backend: Backend,
    /** Number of decoder layers. */
    readonly numLayers: number,
  ) {
    this.layers = Array.from({ length: numLayers }, () => new Map());
    this.seqAxes = Array.from({ length: numLayers }, () => new Map());
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
      const full = prev ? this.backend.concat([prev, next], seqAxis) : next;
      this.backend.keep(full);
      if (prev) prev.dispose();
      store.set(name, full);
      this.seqAxes[layer].set(name, seqAxis);
      out[name] = full;
    }
    return out;
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
  }
}
