import type { Backend, Tensor } from '@pio/core';
import { Module, type WeightSource } from '@pio/core/nn';
import { GatedMlp } from '../gated-mlp.js';
import type { GlmFlashConfig } from '../glm-flash-config.js';
import type { MatrixStorage } from '../load-linear.js';
import type { ExpertCache } from './experts.js';
import { routeTokens, type RouterSettings, type Routing } from './router.js';

/**
 * The sparse feed-forward block: a sigmoid router picks `numExpertsPerTok` routed experts per token (group-limited),
 * only those experts run (on the rows routed to them), and the shared experts run on every token.
 *
 * Forward is asynchronous: the routing is read back to the host (a sync point) to gather each expert's rows.
 */
export class MoeBlock extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly layer: number,
    /** Router weight `[numExperts, hidden]`, float32. */
    private readonly gate: Tensor,
    /** `e_score_correction_bias` on the host, float32. */
    private readonly bias: Float32Array,
    private readonly shared: GatedMlp | undefined,
    private readonly experts: ExpertCache,
    private readonly settings: RouterSettings,
  ) {
    super();
    this.own(gate);
    if (shared) this.child(shared);
  }

  /** Loads `${prefix}.gate.*` and `${prefix}.shared_experts.*`; routed experts come from `experts` on demand. */
  static async load(
    backend: Backend,
    source: WeightSource,
    prefix: string,
    layer: number,
    config: GlmFlashConfig,
    experts: ExpertCache,
    matrix: MatrixStorage,
  ): Promise<MoeBlock> {
    const e = config.nRoutedExperts;
    const gate = await source.take(`${prefix}.gate.weight`, { role: 'linear', storage: 'float32', shape: [e, config.hiddenSize] });
    const biasTensor = await source.take(`${prefix}.gate.e_score_correction_bias`, { storage: 'float32', shape: [e] });
    const bias = Float32Array.from(await biasTensor.data());
    biasTensor.dispose();
    const shared =
      config.nSharedExperts > 0
        ? await GatedMlp.load(backend, source, `${prefix}.shared_experts`, {
            hiddenSize: config.hiddenSize,
            intermediateSize: config.moeIntermediateSize * config.nSharedExperts,
          }, matrix)
        : undefined;
    const settings: RouterSettings = {
      numExperts: e,
      topK: config.numExpertsPerTok,
      numGroups: config.nGroup,
      topkGroup: config.topkGroup,
      normTopkProb: config.normTopkProb,
      routedScalingFactor: config.routedScalingFactor,
    };
    return new MoeBlock(backend, layer, gate, bias, shared, experts, settings);
  }

  /** The routing of `x` (`[..., hidden]`), computed on the backend and read back. */
  async route(x: Tensor): Promise<Routing> {
    const b = this.backend;
    const logits = b.scope(() => b.linear(b.reshape(x, [-1, x.shape[x.shape.length - 1]]), this.gate)); // [tokens, experts]
    try {
      return routeTokens((await logits.data()) as Float32Array, this.bias, this.settings);
    } finally {
      logits.dispose();
    }
  }

  /** `x`: `[..., hidden]` → `[..., hidden]`. The caller disposes `x`. */
  async forward(x: Tensor): Promise<Tensor> {
    const routing = await this.route(x);
    const { tokens, topK } = routing;
    // Rows per expert, in token order; `slotRow[t * topK + j]` is where token t's j-th expert output lands.
    const rowsByExpert = new Map<number, number[]>();
    for (let i = 0; i < tokens * topK; i++) {
      const expert = routing.experts[i];
      let rows = rowsByExpert.get(expert);
      if (!rows) rowsByExpert.set(expert, (rows = []));
      rows.push(i);
    }
    const order = [...rowsByExpert.keys()].sort((a, b) => a - b);
    const modules = await this.experts.acquire(this.layer, order);
    const b = this.backend;
    return b.scope(() => {
      const hidden = x.shape[x.shape.length - 1];
      const flat = b.reshape(x, [tokens, hidden]); // [tokens, hidden]
      const slotRow = new Int32Array(tokens * topK);
      const outputs: Tensor[] = [];
      let offset = 0;
      for (const expert of order) {
        const slots = rowsByExpert.get(expert)!;
        const tokenRows = b.tensor(Int32Array.from(slots, (s) => Math.floor(s / topK)), [slots.length], 'int32');
        outputs.push(modules.get(expert)!.forward(b.gather(flat, tokenRows, 0))); // [rows, hidden]
        slots.forEach((slot, i) => (slotRow[slot] = offset + i));
        offset += slots.length;
      }
      const stacked = outputs.length === 1 ? outputs[0] : b.concat(outputs, 0); // [tokens * topK, hidden]
      const picked = b.gather(stacked, b.tensor(slotRow, [tokens, topK], 'int32'), 0); // [tokens, topK, hidden]
      const weighted = b.mul(picked, b.tensor(routing.weights, [tokens, topK, 1]));
      let y = b.sum(weighted, 1); // [tokens, hidden]
      if (this.shared) y = b.add(y, this.shared.forward(flat));
      return b.reshape(y, x.shape);
    });
  }
}
