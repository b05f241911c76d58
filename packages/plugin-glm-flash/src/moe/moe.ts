import type { Backend, ExpertRoutingOptions, Tensor } from '@pio/core';
import { GatedMlp, Module, type WeightSource } from '@pio/core/nn';
import type { GlmFlashConfig } from '../glm-flash-config.js';
import type { MatrixStorage } from '../load-linear.js';
import type { ExpertCache } from './experts.js';
import { ExpertSlots } from './expert-slots.js';
import { canStackExperts, StackedExperts } from './stacked-experts.js';

/**
 * The sparse feed-forward block: a sigmoid router picks `numExpertsPerTok` routed experts per token (group-limited,
 * `Backend.routeExperts`), only those experts run, and the shared experts run on every token.
 *
 * Two ways to hold the routed experts:
 * - stacked (every expert resident, the default when the source is a checkpoint): `[experts, out, in]` weights
 *   multiplied with `Backend.expertMatmul` — routing and experts stay in the graph, no host round trip;
 * - an {@link ExpertCache} (bounded residency, or a custom expert loader): the chosen experts are read back to the
 *   host, acquired (loaded on a miss) and run one by one on the rows routed to them.
 */
export class MoeBlock extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly layer: number,
    /** Router weight `[numExperts, hidden]`, float32. */
    private readonly gate: Tensor,
    /** `e_score_correction_bias` `[numExperts]`, float32. */
    private readonly bias: Tensor,
    private readonly shared: GatedMlp | undefined,
    private readonly experts: StackedExperts | ExpertSlots | ExpertCache,
    private readonly routing: Omit<ExpertRoutingOptions, 'bias'>,
  ) {
    super();
    this.own(gate);
    this.own(bias);
    if (shared) this.child(shared);
    if (experts instanceof StackedExperts || experts instanceof ExpertSlots) this.child(experts);
  }

  /**
   * Loads `${prefix}.gate.*` and `${prefix}.shared_experts.*`. The routed experts are stacked from `source` when
   * `cache` keeps every expert and loads them from the checkpoint ({@link ExpertCache.stackable}): all of them, or
   * `budget` slots of them ({@link ExpertSlots}, on a backend with `writeWeightRows`); otherwise they come from
   * `cache` on demand.
   */
  static async load(
    backend: Backend,
    source: WeightSource,
    prefix: string,
    layer: number,
    config: GlmFlashConfig,
    cache: ExpertCache,
    matrix: MatrixStorage,
    budget: number = config.nRoutedExperts,
  ): Promise<MoeBlock> {
    const e = config.nRoutedExperts;
    const gate = await source.take(`${prefix}.gate.weight`, { role: 'linear', storage: 'float32', shape: [e, config.hiddenSize] });
    const bias = await source.take(`${prefix}.gate.e_score_correction_bias`, { storage: 'float32', shape: [e] });
    const shared =
      config.nSharedExperts > 0
        ? await GatedMlp.load(backend, source, `${prefix}.shared_experts`, {
            hiddenSize: config.hiddenSize,
            intermediateSize: config.moeIntermediateSize * config.nSharedExperts,
            ...matrix,
          })
        : undefined;
    let experts: StackedExperts | ExpertSlots | ExpertCache = cache;
    if (cache.stackable && canStackExperts(source)) {
      if (budget >= e) {
        experts = await StackedExperts.load(backend, source, layer, config, matrix);
        cache.noteStacked(e);
      } else if (backend.writeWeightRows) {
        experts = await ExpertSlots.load(backend, source, layer, config, matrix, budget, cache);
        cache.noteStacked(budget, true);
      }
    }
    const routing: Omit<ExpertRoutingOptions, 'bias'> = {
      topK: config.numExpertsPerTok,
      scoring: 'sigmoid',
      groups: { count: config.nGroup, keep: config.topkGroup },
      normalize: config.normTopkProb,
      scale: config.routedScalingFactor,
    };
    return new MoeBlock(backend, layer, gate, bias, shared, experts, routing);
  }

  /** True when the routed experts are stacked (the whole block is one graph with no host read). */
  get stacked(): boolean {
    return this.experts instanceof StackedExperts;
  }

  /** The routing of `x` (`[..., hidden]`): experts int32 and weights, `[tokens, topK]` (router logits in float32). */
  route(x: Tensor): { experts: Tensor; weights: Tensor } {
    const b = this.backend;
    const logits = b.linear(b.reshape(x, [-1, x.shape[x.shape.length - 1]]), this.gate); // [tokens, experts]
    return b.routeExperts(logits, { ...this.routing, bias: this.bias });
  }

  /** True when the routed experts are budget slots (a decode step may guess them: {@link MoeBlock.forward}). */
  get slotted(): boolean {
    return this.experts instanceof ExpertSlots;
  }

  /**
   * `x`: `[..., hidden]` → `[..., hidden]`. The caller disposes `x`. Resolves without a host read when stacked, or
   * when `marks` is given and the experts are budget slots: then the slots are looked up in the graph
   * ({@link ExpertSlots.guess}) and the block pushes its `[tokens, 1]` mark (0, or NaN when a routed expert was not
   * resident and the result is wrong) onto `marks`, for the caller to dispose.
   */
  async forward(x: Tensor, marks?: Tensor[]): Promise<Tensor> {
    const b = this.backend;
    const experts = this.experts;
    if (experts instanceof ExpertSlots && marks) {
      const [y, mark] = b.scope(() => {
        let mark: Tensor | undefined;
        const y = this.inGraph(x, (flat, chosen, weights) => {
          const guessed = experts.guess(flat, chosen, weights);
          mark = guessed.mark;
          return guessed.out;
        });
        return [y, mark as Tensor];
      });
      marks.push(mark);
      return y;
    }
    if (experts instanceof ExpertSlots) {
      const [flat, chosen, weights] = b.scope(() => {
        const rows = b.reshape(x, [-1, x.shape[x.shape.length - 1]]); // [tokens, hidden]
        const r = this.route(rows);
        return [rows, r.experts, r.weights];
      });
      try {
        const routedOut = await experts.forward(flat, chosen, weights); // [tokens, hidden]
        const out = b.scope(() => b.reshape(this.shared ? b.add(routedOut, this.shared.forward(flat)) : routedOut, x.shape));
        routedOut.dispose();
        return out;
      } finally {
        for (const t of [flat, chosen, weights]) t.dispose();
      }
    }
    if (experts instanceof StackedExperts) return b.scope(() => this.inGraph(x, (flat, chosen, weights) => experts.forward(flat, chosen, weights)));
    return this.forwardCached(x, experts);
  }

  /**
   * The block as ops of one graph (no host read): routes `x`, `routed` computes the routed experts' weighted sum
   * `[tokens, hidden]` from the rows and the routing, and the shared experts are added. Call inside a scope.
   */
  private inGraph(x: Tensor, routed: (flat: Tensor, experts: Tensor, weights: Tensor) => Tensor): Tensor {
    const b = this.backend;
    const flat = b.reshape(x, [-1, x.shape[x.shape.length - 1]]); // [tokens, hidden]
    const r = this.route(flat);
    let y = routed(flat, r.experts, r.weights);
    if (this.shared) y = b.add(y, this.shared.forward(flat));
    return b.reshape(y, x.shape);
  }

  /** The {@link ExpertCache} path: the routing is read back (a sync point) to acquire and run each chosen expert. */
  private async forwardCached(x: Tensor, cache: ExpertCache): Promise<Tensor> {
    const b = this.backend;
    const routedTensors = b.scope(() => {
      const r = this.route(x);
      return [r.experts, r.weights];
    });
    const [expertIds, weightValues] = await Promise.all(routedTensors.map((t) => t.data()));
    for (const t of routedTensors) t.dispose();
    const topK = this.routing.topK;
    const tokens = expertIds.length / topK;
    // Rows per expert, in token order; `slotRow[t * topK + j]` is where token t's j-th expert output lands.
    const rowsByExpert = new Map<number, number[]>();
    for (let i = 0; i < tokens * topK; i++) {
      const expert = expertIds[i];
      let rows = rowsByExpert.get(expert);
      if (!rows) rowsByExpert.set(expert, (rows = []));
      rows.push(i);
    }
    const order = [...rowsByExpert.keys()].sort((p, q) => p - q);
    const modules = await cache.acquire(this.layer, order);
    return b.scope(() => {
      const hidden = x.shape[x.shape.length - 1];
      const flat = b.reshape(x, [tokens, hidden]); // [tokens, hidden]
      const slotRow = new Int32Array(tokens * topK);
      const outputs: Tensor[] = [];
      let offset = 0;
      for (const expert of order) {
        const slots = rowsByExpert.get(expert)!;
        const tokenRows = b.tensor(
          Int32Array.from(slots, (s) => Math.floor(s / topK)),
          [slots.length],
          'int32',
        );
        outputs.push(modules.get(expert)!.forward(b.gather(flat, tokenRows, 0))); // [rows, hidden]
        slots.forEach((slot, i) => (slotRow[slot] = offset + i));
        offset += slots.length;
      }
      const stacked = outputs.length === 1 ? outputs[0] : b.concat(outputs, 0); // [tokens * topK, hidden]
      const picked = b.gather(stacked, b.tensor(slotRow, [tokens, topK], 'int32'), 0); // [tokens, topK, hidden]
      const weighted = b.mul(picked, b.tensor(Float32Array.from(weightValues), [tokens, topK, 1]));
      let y = b.sum(weighted, 1); // [tokens, hidden]
      if (this.shared) y = b.add(y, this.shared.forward(flat));
      return b.reshape(y, x.shape);
    });
  }
}
