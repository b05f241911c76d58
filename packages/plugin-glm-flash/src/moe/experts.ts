import type { GatedMlp } from '@pio/core/nn';

/** Loads routed expert `expert` of decoder layer `layer` onto the backend. */
export type ExpertLoader = (layer: number, expert: number) => Promise<GatedMlp>;

/** Counters of an `ExpertCache` (the expert cache of a GLM model loaded with a bounded expert capacity). */
export interface ExpertCacheStats {
  /** Experts resident on the backend now (stacked experts included). */
  resident: number;
  /** Most experts kept resident (`Infinity` when unbounded). */
  capacity: number;
  /** Experts loaded from the checkpoint so far (reloads after eviction included). */
  loads: number;
  /** Requests served without loading. */
  hits: number;
  /** Experts freed to make room. */
  evictions: number;
  /** Decode steps computed in one graph as if every routed expert were resident (under an expert budget). */
  guessedSteps: number;
  /** Of those, steps that routed a token to an expert that was not resident, run again layer by layer. */
  missedSteps: number;
}

/**
 * The routed experts of all MoE layers, uploaded on first use and kept in a least-recently-used cache of bounded size,
 * so a machine with far less memory than the checkpoint can run the model (only ~4 of 64 experts per layer run per token).
 *
 * The experts returned by one {@link ExpertCache.acquire} stay resident until the next call (the cache may briefly hold
 * more than `capacity` when one layer needs more experts than that).
 */
export class ExpertCache {
  private readonly entries = new Map<string, GatedMlp>();
  private readonly pending = new Map<string, Promise<GatedMlp>>();
  private counters = { loads: 0, hits: 0, evictions: 0, guessedSteps: 0, missedSteps: 0 };
  private stackedExperts = 0;
  private budgetSlots = 0;

  constructor(
    private readonly loader: ExpertLoader,
    /** Most experts kept resident; `Infinity` keeps every expert once loaded. */
    readonly capacity: number = Infinity,
    options: {
      /**
       * The loader reads the model's own checkpoint (not a custom loader), so with unbounded capacity the MoE layers
       * may hold their experts stacked instead (see `MoeBlock`). Default false.
       */
      checkpointLoader?: boolean;
    } = {},
  ) {
    this.stackable = capacity === Infinity && options.checkpointLoader === true;
  }

  /** True when MoE layers may load every expert stacked at load time instead of acquiring them from this cache. */
  readonly stackable: boolean;

  /**
   * Counts `count` experts that a MoE layer loaded stacked (resident for the model's lifetime, outside this cache);
   * `budgeted`: they are the slots of an expert budget (then the stats' capacity is the slots of every layer).
   */
  noteStacked(count: number, budgeted = false): void {
    this.stackedExperts += count;
    if (budgeted) this.budgetSlots += count;
  }

  /** Returns the listed experts of `layer`, loading the missing ones, and evicts the least recently used others beyond capacity. */
  async acquire(layer: number, experts: readonly number[]): Promise<Map<number, GatedMlp>> {
    const out = new Map<number, GatedMlp>();
    for (const expert of experts) {
      const key = `${layer}:${expert}`;
      let module = this.entries.get(key);
      if (module) {
        this.counters.hits++;
        this.entries.delete(key); // re-insert: Map order is the recency order
      } else {
        let loading = this.pending.get(key);
        if (!loading) {
          loading = this.loader(layer, expert);
          this.pending.set(key, loading);
        }
        try {
          module = await loading;
        } finally {
          this.pending.delete(key);
        }
        if (this.entries.has(key)) this.entries.delete(key);
        this.counters.loads++;
      }
      this.entries.set(key, module);
      out.set(expert, module);
    }
    const inUse = new Set(experts.map((e) => `${layer}:${e}`));
    for (const [key, module] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (inUse.has(key)) continue;
      module.dispose();
      this.entries.delete(key);
      this.counters.evictions++;
    }
    return out;
  }

  /** Counts traffic of experts held outside this cache (the slots of a layer under an expert budget). */
  note(counts: { loads: number; hits: number; evictions: number }): void {
    this.counters.loads += counts.loads;
    this.counters.hits += counts.hits;
    this.counters.evictions += counts.evictions;
  }

  /** Counts a guessed decode step (see `StepGuessing`), and whether it missed. */
  noteStep(missed: boolean): void {
    this.counters.guessedSteps++;
    if (missed) this.counters.missedSteps++;
  }

  /** Current counters. */
  stats(): ExpertCacheStats {
    return { resident: this.entries.size + this.stackedExperts, capacity: this.budgetSlots > 0 ? this.budgetSlots : this.capacity, ...this.counters };
  }

  /** Frees every resident expert. */
  dispose(): void {
    for (const module of this.entries.values()) module.dispose();
    this.entries.clear();
  }
}
