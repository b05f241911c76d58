import type { Backend, Tensor, Weight } from '@pio/core';
import { Module } from '@pio/core/nn';
import type { GlmFlashConfig } from '../glm-flash-config.js';
import type { MatrixStorage } from '../load-linear.js';
import { expertWeightName, type ExpertProjection } from '../weight-map.js';
import type { ExpertCache } from './experts.js';
import { StackedExperts, type ExpertTensorSource } from './stacked-experts.js';

const PROJECTIONS: readonly ExpertProjection[] = ['gate_proj', 'up_proj', 'down_proj'];

/**
 * The routed experts of one MoE layer under an expert budget: `budget` slots of stacked weights (`[budget, out, in]`,
 * a {@link StackedExperts}) holding the most recently used experts, multiplied with the same in-graph
 * `Backend.expertMatmul` as a layer with every expert resident, the expert ids mapped to slot ids on the host.
 *
 * A forward pass reads the routing back (one sync point per MoE layer), reads every missed expert of the step from
 * the checkpoint (the three projections of each at once, while earlier writes convert) and writes them over the least
 * recently used slots no token of the step needs (`Backend.writeWeightRows`). A prompt chunk whose tokens need more
 * distinct experts than the budget runs in consecutive groups of tokens that fit. Before a slot is overwritten, every
 * expert product recorded from it is computed (graph backends compute lazily), so no pending graph reads new rows.
 *
 * A decode step may instead guess ({@link ExpertSlots.guess}): the slot of each routed expert is looked up in the
 * graph, from a table on the backend that the writes keep current, so the step needs no host read and stays one graph
 * (replayed like a step with every expert resident). The table marks experts that are not resident; a step that
 * routed a token to one yields a NaN mark that the model adds to its logits, and the step is run again this way.
 */
export class ExpertSlots extends Module {
  /** Slot of each expert, or -1. */
  private readonly slotOf: Int32Array;
  /** Expert in each slot. */
  private readonly expertIn: Int32Array;
  /** Recency of each slot (higher: used later). */
  private readonly lastUse: Float64Array;
  private clock = 0;
  /** Products recorded from the slots, read (computed and kept) before a slot is overwritten, then freed. */
  private pending: Tensor[] = [];
  /** Forward passes of this layer run one at a time (slot maps and writes are shared). */
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly backend: Backend,
    private readonly stack: StackedExperts,
    /** `[experts, 2]` float32: each expert's slot (0 when not resident), then 0 when resident or NaN when not. */
    private readonly table: Weight,
    private readonly source: ExpertTensorSource,
    private readonly layer: number,
    private readonly config: GlmFlashConfig,
    private readonly stats: ExpertCache,
  ) {
    super();
    this.child(stack);
    this.own(table);
    const budget = stack.slots;
    this.slotOf = new Int32Array(config.nRoutedExperts).fill(-1);
    this.expertIn = Int32Array.from({ length: budget }, (_, s) => s);
    for (let s = 0; s < budget; s++) this.slotOf[s] = s;
    this.lastUse = new Float64Array(budget);
  }

  /** Loads experts `0 .. budget - 1` of `layer` into `budget` slots; `stats` counts loads, hits and evictions. */
  static async load(
    backend: Backend,
    source: ExpertTensorSource,
    layer: number,
    config: GlmFlashConfig,
    matrix: MatrixStorage,
    budget: number,
    stats: ExpertCache,
  ): Promise<ExpertSlots> {
    const experts = Array.from({ length: budget }, (_, e) => e);
    const stack = await StackedExperts.load(backend, source, layer, config, matrix, experts, { rewritable: true });
    const entries = new Float32Array(config.nRoutedExperts * 2);
    for (let e = 0; e < config.nRoutedExperts; e++) {
      entries[2 * e] = e < budget ? e : 0;
      entries[2 * e + 1] = e < budget ? 0 : Number.NaN;
    }
    let table: Weight;
    try {
      table = backend.weight({ dtype: 'F32', shape: [config.nRoutedExperts, 2], bytes: new Uint8Array(entries.buffer) }, { storage: 'float32' });
    } catch (error) {
      stack.dispose();
      throw error;
    }
    return new ExpertSlots(backend, stack, table, source, layer, config, stats);
  }

  /**
   * The guessing form of {@link ExpertSlots.forward}, recorded in the graph with no host read: `x` `[tokens, hidden]`,
   * `experts` int32 and `weights` `[tokens, topK]` → `out` `[tokens, hidden]`, exact when every routed expert is
   * resident when the graph runs, and `mark` `[tokens, 1]`: 0 for a token whose experts were all resident, NaN
   * otherwise (its `out` row is then wrong).
   */
  guess(x: Tensor, experts: Tensor, weights: Tensor): { out: Tensor; mark: Tensor } {
    const b = this.backend;
    const [tokens, topK] = experts.shape;
    const entries = b.gather(this.table, experts, 0); // [tokens, topK, 2]
    const slots = b.cast(b.reshape(b.slice(entries, [0, 0, 0], [tokens, topK, 1]), [tokens, topK]), 'int32'); // [tokens, topK]
    const mark = b.sum(b.reshape(b.slice(entries, [0, 0, 1], [tokens, topK, 1]), [tokens, topK]), 1, true); // [tokens, 1]
    return { out: this.stack.forward(x, slots, weights), mark };
  }

  /** Slots (resident experts) of this layer. */
  get budget(): number {
    return this.expertIn.length;
  }

  /**
   * `x` `[tokens, hidden]`, `experts` int32 and `weights` `[tokens, topK]` (the routing, still in the graph) →
   * `[tokens, hidden]`, the routed experts' weighted sum. The caller keeps ownership of its inputs.
   */
  forward(x: Tensor, experts: Tensor, weights: Tensor): Promise<Tensor> {
    const run = this.turn.then(() => this.run(x, experts, weights));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async run(x: Tensor, experts: Tensor, weights: Tensor): Promise<Tensor> {
    const b = this.backend;
    const ids = (await experts.data()) as Int32Array;
    // the products of earlier passes are settled and freed now (they are computed by now unless another session's
    // graph has not run yet): the slots hold at most one pass's products, not a prompt's worth of chunks
    await this.settlePending();
    const [tokens, topK] = experts.shape;
    const hidden = x.shape[1];
    const outputs: Tensor[] = [];
    for (const [start, end] of this.groups(ids, tokens, topK)) {
      const needed = [...new Set(ids.subarray(start * topK, end * topK))];
      await this.ensureResident(needed, outputs);
      const slots = Int32Array.from(ids.subarray(start * topK, end * topK), (e) => this.slotOf[e]);
      const n = end - start;
      const y = b.scope(() => {
        const rows = n === tokens ? x : b.slice(x, [start, 0], [n, hidden]);
        const w = n === tokens ? weights : b.slice(weights, [start, 0], [n, topK]);
        return this.stack.forward(rows, b.tensor(slots, [n, topK], 'int32'), w);
      });
      outputs.push(y);
    }
    // held until a slot changes: reading a held tensor keeps its values, so no later graph recomputes it from new rows
    this.pending.push(...outputs);
    // a handle of the caller's own (the held products stay with the slots)
    return b.scope(() => (outputs.length === 1 ? b.reshape(outputs[0], outputs[0].shape) : b.concat(outputs, 0))); // [tokens, hidden]
  }

  /** Consecutive token ranges `[start, end)` whose distinct experts fit the budget. */
  private groups(ids: Int32Array, tokens: number, topK: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let start = 0;
    let seen = new Set<number>();
    for (let t = 0; t < tokens; t++) {
      const mine = ids.subarray(t * topK, (t + 1) * topK);
      const union = new Set([...seen, ...mine]);
      if (union.size > this.budget && t > start) {
        out.push([start, t]);
        start = t;
        seen = new Set(mine);
      } else {
        seen = union;
      }
    }
    if (tokens > start) out.push([start, tokens]);
    return out;
  }

  /** Makes every expert of `needed` (at most the budget) resident, loading misses into the least recently used other slots. */
  private async ensureResident(needed: readonly number[], held: readonly Tensor[]): Promise<void> {
    const tick = ++this.clock;
    const missing = needed.filter((e) => this.slotOf[e] < 0);
    this.stats.note({ hits: needed.length - missing.length, loads: missing.length, evictions: missing.length });
    const keep = new Set(needed.map((e) => this.slotOf[e]).filter((s) => s >= 0));
    for (const e of needed) if (this.slotOf[e] >= 0) this.lastUse[this.slotOf[e]] = tick;
    if (missing.length === 0) return;
    // every product recorded from the slots is computed before any slot changes
    await this.settlePending();
    await Promise.all(held.map((t) => t.data())); // this pass's earlier groups
    const free = Array.from({ length: this.budget }, (_, s) => s)
      .filter((s) => !keep.has(s))
      .sort((p, q) => this.lastUse[p] - this.lastUse[q]);
    const b = this.backend;
    const shapes = this.shapes();
    // the three projections of one expert are read at once, and the next missed expert is read while this one is
    // converted and written into its slot's rows (host memory holds at most two experts)
    const read = (expert: number) => Promise.all(PROJECTIONS.map((p) => this.source.readHost(expertWeightName(this.layer, expert, p), { shape: shapes[p] })));
    let next = read(missing[0]);
    for (const [i, expert] of missing.entries()) {
      const hosts = await next;
      if (i + 1 < missing.length) next = read(missing[i + 1]);
      const slot = free[i];
      const old = this.expertIn[slot];
      if (old >= 0) this.slotOf[old] = -1;
      this.expertIn[slot] = -1; // empty until every projection is written (a failed write leaves it empty)
      // the backend runs writes and computations in the order asked: a guessing graph computed before the rows change
      // sees the old expert resident, one computed after them sees the new one, and one in between sees neither
      if (old >= 0) await this.writeEntry(old, 0, Number.NaN);
      await Promise.all(PROJECTIONS.map((p, j) => b.writeWeightRows!(this.stack.weightOf(p), slot * shapes[p][0], hosts[j])));
      await this.writeEntry(expert, slot, 0);
      this.expertIn[slot] = expert;
      this.slotOf[expert] = slot;
      this.lastUse[slot] = tick;
    }
  }

  /** Writes expert `expert`'s entry of the slot table: its slot, and 0 (resident) or NaN (not). */
  private writeEntry(expert: number, slot: number, mark: number): Promise<void> {
    const bytes = new Uint8Array(Float32Array.of(slot, mark).buffer);
    return this.backend.writeWeightRows!(this.table, expert, { dtype: 'F32', shape: [1, 2], bytes });
  }

  /** Computes (if still pending) every product recorded from the slots, and drops the probes. */
  private async settlePending(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    try {
      await Promise.all(pending.map((t) => t.data()));
    } finally {
      for (const t of pending) t.dispose();
    }
  }

  private shapes(): Record<ExpertProjection, [number, number]> {
    const h = this.config.hiddenSize;
    const inter = this.config.moeIntermediateSize;
    return { gate_proj: [inter, h], up_proj: [inter, h], down_proj: [h, inter] };
  }

  /** Frees the slots and what waits on them. */
  override dispose(): void {
    for (const t of this.pending) t.dispose();
    this.pending = [];
    super.dispose();
  }
}
