import {
  BACKEND_SPEC_VERSION,
  type AttentionOptions,
  type Backend,
  type BackendCapabilities,
  type BackendMemory,
  type ExpertRouting,
  type ExpertRoutingOptions,
  type HostTensor,
  type RopeLayout,
  type ScopeResult,
  type Tensor,
  type TensorDType,
  type Weight,
  type WeightOptions,
} from '@pio/core';
import type { ActiveEngine } from './engine/active-engine.js';
import type { TfjsEngineName } from './engine/engine-kinds.js';
import { attentionOp } from './ops/attention-op.js';
import { fillOp, tensorOp } from './ops/creation-ops.js';
import { binaryOp, geluOp, swigluOp, unaryOp, whereOp } from './ops/elementwise-ops.js';
import { gatherOp } from './ops/gather-op.js';
import { linearOp, matmulOp } from './ops/linalg-ops.js';
import { expertMatmulOp, routeExpertsOp } from './ops/moe-ops.js';
import { layerNormOp, rmsNormOp } from './ops/norm-ops.js';
import { cumsumOp, reduceOp, softmaxOp, topkOp } from './ops/reduction-ops.js';
import { ropeOp, ropePositionsOp } from './ops/rope-op.js';
import { castOp, concatOp, reshapeOp, sliceOp, transposeOp } from './ops/shape-ops.js';
import { TfjsRuntime } from './runtime/tfjs-runtime.js';
import { TFJS_WEIGHT_STORAGE, uploadWeight } from './weights/upload-weight.js';

/**
 * The PIO backend spec over TensorFlow.js. Create it with {@link createTfjsBackend}.
 *
 * tfjs keeps one global engine per process: two backends share it, switch it to their own engine before each op, and
 * share the wasm heap. Each backend counts and frees only what it created.
 */
export class TfjsBackend implements Backend {
  readonly specificationVersion = BACKEND_SPEC_VERSION;
  readonly name = 'tfjs';
  readonly engine: TfjsEngineName;
  readonly capabilities: BackendCapabilities;
  /** Threads the engine computes with (wasm under Node.js: 1; native engines: 0, managed by TensorFlow). */
  readonly threads: number;
  private readonly rt: TfjsRuntime;

  constructor(engine: ActiveEngine, options: { maxBytes?: number } = {}) {
    const maxBytes = options.maxBytes ?? engine.traits.defaultMaxBytes;
    this.rt = new TfjsRuntime(engine, maxBytes);
    this.engine = engine.name;
    this.threads = engine.threads;
    this.capabilities = { weightStorage: TFJS_WEIGHT_STORAGE, lazy: false, maxBytes, device: engine.device };
  }

  scope<T extends ScopeResult>(fn: () => T): T {
    return this.rt.scope(fn);
  }
  keep<T extends Tensor>(tensor: T): T {
    return this.rt.keep(tensor);
  }
  memory(): BackendMemory {
    return this.rt.memory();
  }
  dispose(): void {
    this.rt.dispose();
  }

  tensor(values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): Tensor {
    return tensorOp(this.rt, values, shape, dtype);
  }
  fill(shape: readonly number[], value: number, dtype?: TensorDType): Tensor {
    return fillOp(this.rt, shape, value, dtype);
  }
  weight(host: HostTensor, options?: WeightOptions): Weight {
    return uploadWeight(this.rt, host, options);
  }

  reshape(x: Tensor, shape: readonly number[]): Tensor {
    return reshapeOp(this.rt, x, shape);
  }
  transpose(x: Tensor, perm: readonly number[]): Tensor {
    return transposeOp(this.rt, x, perm);
  }
  concat(xs: readonly Tensor[], axis: number): Tensor {
    return concatOp(this.rt, xs, axis);
  }
  slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
    return sliceOp(this.rt, x, begin, size);
  }
  gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
    return gatherOp(this.rt, x, indices, axis);
  }
  cast(x: Tensor, dtype: TensorDType): Tensor {
    return castOp(this.rt, x, dtype);
  }

  add(a: Tensor, b: Tensor | number): Tensor {
    return binaryOp(this.rt, 'add', a, b);
  }
  sub(a: Tensor, b: Tensor | number): Tensor {
    return binaryOp(this.rt, 'sub', a, b);
  }
  mul(a: Tensor, b: Tensor | number): Tensor {
    return binaryOp(this.rt, 'mul', a, b);
  }
  div(a: Tensor, b: Tensor | number): Tensor {
    return binaryOp(this.rt, 'div', a, b);
  }
  maximum(a: Tensor, b: Tensor | number): Tensor {
    return binaryOp(this.rt, 'maximum', a, b);
  }
  neg(x: Tensor): Tensor {
    return unaryOp(this.rt, 'neg', x);
  }
  exp(x: Tensor): Tensor {
    return unaryOp(this.rt, 'exp', x);
  }
  log(x: Tensor): Tensor {
    return unaryOp(this.rt, 'log', x);
  }
  sqrt(x: Tensor): Tensor {
    return unaryOp(this.rt, 'sqrt', x);
  }
  rsqrt(x: Tensor): Tensor {
    return unaryOp(this.rt, 'rsqrt', x);
  }
  square(x: Tensor): Tensor {
    return unaryOp(this.rt, 'square', x);
  }
  silu(x: Tensor): Tensor {
    return unaryOp(this.rt, 'silu', x);
  }
  gelu(x: Tensor, approximate: 'tanh' | 'erf'): Tensor {
    return geluOp(this.rt, x, approximate);
  }
  sigmoid(x: Tensor): Tensor {
    return unaryOp(this.rt, 'sigmoid', x);
  }
  tanh(x: Tensor): Tensor {
    return unaryOp(this.rt, 'tanh', x);
  }
  swiglu(gate: Tensor, up: Tensor): Tensor {
    return swigluOp(this.rt, gate, up);
  }
  where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
    return whereOp(this.rt, cond, a, b);
  }

  sum(x: Tensor, axis: number, keepDims?: boolean): Tensor {
    return reduceOp(this.rt, 'sum', x, axis, keepDims);
  }
  mean(x: Tensor, axis: number, keepDims?: boolean): Tensor {
    return reduceOp(this.rt, 'mean', x, axis, keepDims);
  }
  max(x: Tensor, axis: number, keepDims?: boolean): Tensor {
    return reduceOp(this.rt, 'max', x, axis, keepDims);
  }
  argMax(x: Tensor, axis: number): Tensor {
    return reduceOp(this.rt, 'argMax', x, axis);
  }
  softmax(x: Tensor, axis?: number): Tensor {
    return softmaxOp(this.rt, x, axis, false);
  }
  logSoftmax(x: Tensor, axis?: number): Tensor {
    return softmaxOp(this.rt, x, axis, true);
  }
  topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
    return topkOp(this.rt, x, k);
  }
  cumsum(x: Tensor, axis: number): Tensor {
    return cumsumOp(this.rt, x, axis);
  }

  matmul(a: Tensor, b: Tensor, options?: { transposeA?: boolean; transposeB?: boolean }): Tensor {
    return matmulOp(this.rt, a, b, options);
  }
  linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
    return linearOp(this.rt, x, weight, bias);
  }
  routeExperts(logits: Tensor, options: ExpertRoutingOptions): ExpertRouting {
    return routeExpertsOp(this.rt, logits, options);
  }
  expertMatmul(x: Tensor, weights: Tensor, experts: Tensor): Tensor {
    return expertMatmulOp(this.rt, x, weights, experts);
  }

  rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
    return rmsNormOp(this.rt, x, weight, eps);
  }
  layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
    return layerNormOp(this.rt, x, weight, bias, eps);
  }
  rope(x: Tensor, cos: Tensor, sin: Tensor, layout: RopeLayout): Tensor {
    return ropeOp(this.rt, x, cos, sin, layout);
  }
  ropePositions(x: Tensor, positions: Tensor, inverseFrequencies: Tensor, layout: RopeLayout): Tensor {
    return ropePositionsOp(this.rt, x, positions, inverseFrequencies, layout);
  }
  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
    return attentionOp(this.rt, q, k, v, options);
  }
}
