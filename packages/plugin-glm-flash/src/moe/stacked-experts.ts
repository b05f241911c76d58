import { decodeHostTensor, type Backend, type HostDType, type HostTensor, type Tensor, type Weight } from '@pio/core';
import { applySwiglu, Module } from '@pio/core/nn';
import type { CheckpointWeightSource } from '@pio/core/weights';
import type { GlmFlashConfig } from '../glm-flash-config.js';
import type { MatrixStorage } from '../load-linear.js';
import { expertWeightName, type ExpertProjection } from '../weight-map.js';

/** The part of a checkpoint source that stacked loading reads from. */
export type ExpertTensorSource = Pick<CheckpointWeightSource, 'readHost' | 'info'>;

/** True when `source` can read host tensors (a checkpoint source), so experts can be stacked at load. */
export function canStackExperts(source: object): source is ExpertTensorSource {
  return typeof (source as Partial<ExpertTensorSource>).readHost === 'function' && typeof (source as Partial<ExpertTensorSource>).info === 'function';
}

/**
 * The routed experts of one MoE layer as three stacked `linear` weights — `gate` and `up` `[experts, intermediate,
 * hidden]`, `down` `[experts, hidden, intermediate]` — multiplied with `Backend.expertMatmul`, so the whole feed-forward
 * (routing included) stays in the step's graph.
 */
export class StackedExperts extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly gate: Weight,
    private readonly up: Weight,
    private readonly down: Weight,
  ) {
    super();
    for (const w of [gate, up, down]) this.own(w);
  }

  /**
   * Reads `model.layers.{layer}.mlp.experts.{e}.{gate,up,down}_proj.weight` for every expert `e` of `experts`
   * (default all, in order: slot `i` holds `experts[i]`) into stacked weights in `matrix` storage: expert by expert
   * through `Backend.beginWeight` when the backend has it (host memory holds one expert matrix), else joined on the
   * host and uploaded once. The stacks are uploaded with the `experts` role (a backend may hold them in a layout only
   * `expertMatmul` reads, such as ggml's repacked Q4_0), or as `linear` when `rewritable` (slots rewritten with
   * `Backend.writeWeightRows`).
   */
  static async load(
    backend: Backend,
    source: ExpertTensorSource,
    layer: number,
    config: GlmFlashConfig,
    matrix: MatrixStorage,
    experts: readonly number[] = Array.from({ length: config.nRoutedExperts }, (_, e) => e),
    { rewritable = false }: { rewritable?: boolean } = {},
  ): Promise<StackedExperts> {
    const h = config.hiddenSize;
    const inter = config.moeIntermediateSize;
    const role = rewritable ? 'linear' : 'experts';
    const stack = (projection: ExpertProjection, out: number, inF: number) => loadStack(backend, source, layer, projection, experts, [out, inF], matrix, role);
    const gate = await stack('gate_proj', inter, h);
    try {
      const up = await stack('up_proj', inter, h);
      try {
        return new StackedExperts(backend, gate, up, await stack('down_proj', h, inter));
      } catch (error) {
        up.dispose();
        throw error;
      }
    } catch (error) {
      gate.dispose();
      throw error;
    }
  }

  /** Experts (slots) along the stack's first axis. */
  get slots(): number {
    return this.gate.shape[0];
  }

  /** The stacked weights `[slots, out, in]` of one projection (for rewriting a slot with `Backend.writeWeightRows`). */
  weightOf(projection: ExpertProjection): Weight {
    return projection === 'gate_proj' ? this.gate : projection === 'up_proj' ? this.up : this.down;
  }

  /**
   * `x` `[tokens, hidden]`, `experts` int32 `[tokens, topK]`, `weights` `[tokens, topK]` → `[tokens, hidden]`: the sum
   * over each token's chosen experts of `weight * down(silu(gate(x)) * up(x))`.
   */
  forward(x: Tensor, experts: Tensor, weights: Tensor): Tensor {
    const b = this.backend;
    const [tokens, hidden] = x.shape;
    const topK = experts.shape[1];
    const rows = b.reshape(x, [tokens, 1, hidden]); // [tokens, 1, hidden]: one row shared by the token's slots
    const act = applySwiglu(b, b.expertMatmul(rows, this.gate, experts), b.expertMatmul(rows, this.up, experts)); // [tokens, topK, inter]
    const out = b.expertMatmul(act, this.down, experts); // [tokens, topK, hidden]
    return b.sum(b.mul(out, b.reshape(weights, [tokens, topK, 1])), 1); // [tokens, hidden]
  }
}

/** Uploads the `projection` matrices `[out, in]` of the listed experts of `layer` as one `[experts, out, in]` weight. */
async function loadStack(
  backend: Backend,
  source: ExpertTensorSource,
  layer: number,
  projection: ExpertProjection,
  experts: readonly number[],
  shape: [number, number],
  matrix: MatrixStorage,
  role: 'experts' | 'linear',
): Promise<Weight> {
  const count = experts.length;
  const names = experts.map((e) => expertWeightName(layer, e, projection));
  const dtypes = new Set(names.map((name) => source.info(name)?.dtype));
  // one encoding for the whole stack: the checkpoint's when every expert shares it, else float32
  const dtype: HostDType = dtypes.size === 1 && [...dtypes][0] !== undefined ? ([...dtypes][0] as HostDType) : 'F32';
  const bytesOf = (host: HostTensor): Uint8Array => {
    if (host.dtype === dtype) return host.bytes;
    const values = decodeHostTensor(host) as Float32Array;
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  };
  const options = {
    role,
    storage: matrix.storage,
    groupSize: matrix.groupSize,
    name: `model.layers.${layer}.mlp.experts.*.${projection}.weight`,
  };
  const full = [count, ...shape];
  if (backend.beginWeight) {
    const writer = backend.beginWeight({ dtype, shape: full }, options);
    try {
      // a backend may convert off the calling thread (ggml quantizes on a worker): each write settles before the next
      for (const name of names) await writer.write(bytesOf(await source.readHost(name, { shape })));
      return writer.finish();
    } catch (error) {
      writer.abort();
      throw error;
    }
  }
  const parts: Uint8Array[] = [];
  for (const name of names) parts.push(bytesOf(await source.readHost(name, { shape })));
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return backend.weight({ dtype, shape: full, bytes: joined }, options);
}
