import type { Backend, Tensor } from '@pio/core';
import { type Linear, Module, type WeightSource } from '@pio/core/nn';
import { loadLinear, type MatrixStorage } from './load-linear.js';

/** The SwiGLU feed-forward block of GLM-4.7-Flash: `down(silu(gate(x)) * up(x))` (dense MLP, shared and routed experts). */
export class GatedMlp extends Module {
  constructor(
    private readonly backend: Backend,
    private readonly gate: Linear,
    private readonly up: Linear,
    private readonly down: Linear,
  ) {
    super();
    this.child(gate);
    this.child(up);
    this.child(down);
  }

  /** Loads `${prefix}.{gate_proj,up_proj,down_proj}.weight`. */
  static async load(
    backend: Backend,
    source: WeightSource,
    prefix: string,
    options: { hiddenSize: number; intermediateSize: number },
    matrix: MatrixStorage,
  ): Promise<GatedMlp> {
    const { hiddenSize, intermediateSize } = options;
    const up = { inFeatures: hiddenSize, outFeatures: intermediateSize };
    return new GatedMlp(
      backend,
      await loadLinear(backend, source, `${prefix}.gate_proj`, up, matrix),
      await loadLinear(backend, source, `${prefix}.up_proj`, up, matrix),
      await loadLinear(backend, source, `${prefix}.down_proj`, { inFeatures: intermediateSize, outFeatures: hiddenSize }, matrix),
    );
  }

  /** `x`: `[..., hidden]` → `[..., hidden]`. */
  forward(x: Tensor): Tensor {
    const b = this.backend;
    return this.down.forward(b.mul(b.silu(this.gate.forward(x)), this.up.forward(x)));
  }
}
