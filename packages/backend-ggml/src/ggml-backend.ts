import {
  type SequenceBuffer,
  type SequenceBufferOptions,
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
  type StepRecording,
  type Tensor,
  type TensorDType,
  type Weight,
  type WeightOptions,
  type WeightWriter,
} from '@pio/core';
import { GraphNode } from './graph/graph-node.js';
import { asNode } from './ops/op-support.js';
import type { GraphRuntime } from './graph/graph-runtime.js';
import { attentionOp } from './ops/attention-op.js';
import { fillOp, tensorOp } from './ops/creation-ops.js';
import { binaryOp, swigluOp, unaryOp, whereOp } from './ops/elementwise-ops.js';
import { gatherOp } from './ops/gather-op.js';
import { linearOp, matmulOp } from './ops/linalg-ops.js';
import { expertMatmulOp, routeExpertsOp } from './ops/moe-ops.js';
import { layerNormOp, rmsNormOp } from './ops/norm-ops.js';
import { argMaxOp, reduceOp, topkOp } from './ops/reduction-ops.js';
import { ropeOp } from './ops/rope-op.js';
import { ropePositionsOp } from './ops/rope-positions-op.js';
import { GgmlSequenceBuffer } from './ops/sequence-buffer-op.js';
import { castOp, concatOp, reshapeOp, sliceOp, transposeOp } from './ops/shape-ops.js';
import { ConversionScratch } from './weights/conversion-scratch.js';
import { beginGgmlWeight } from './weights/ggml-weight-writer.js';
import { writeGgmlWeightRows } from './weights/write-ggml-weight-rows.js';
import { GGML_WEIGHT_STORAGE } from './weights/storage-plan.js';
import { uploadGgmlWeight } from './weights/upload-ggml-weight.js';
import type { WeightRepackInfo } from './weights/weight-repack.js';

/** Collects the tensors in a scope result. */
function tensorsIn(result: ScopeResult): Tensor[] {
  if (result instanceof GraphNode) return [result];
  if (Array.isArray(result)) return result.filter((t): t is GraphNode => t instanceof GraphNode);
  if (result && typeof result === 'object') return Object.values(result).filter((t): t is GraphNode => t instanceof GraphNode);
  return [];
}

/**
 * The PIO {@link Backend} over ggml: ops record a graph; `await t.data()` computes what the tensor needs in one ggml
 * graph on the chosen device and copies the values out. Create it with `createGgmlBackend`.
 */
export class GgmlBackend implements Backend {
  /** The spec version implemented. */
  readonly specificationVersion = BACKEND_SPEC_VERSION;
  /** Backend package name. */
  readonly name = 'ggml';
  /** KV caches pad decode-step reads to 256 positions (like llama.cpp), so decode graphs repeat and are reused. */
  readonly kvCachePadding = 256;
  /** `ggml-cpu`, `ggml-cuda`, `ggml-vulkan` or `ggml-metal`. */
  readonly engine: string;
  /** What the backend supports. */
  readonly capabilities: BackendCapabilities;
  /** Threads used by the CPU device. */
  readonly threads: number;
  /**
   * Which `linear` weights are stored in a repacked layout (ggml's CPU extra buffer types, see
   * `GgmlBackendOptions.repackWeights`), with the reason when none are.
   */
  readonly weightRepack: WeightRepackInfo;
  /** Host buffers of streamed weight uploads ({@link GgmlBackend.beginWeight}). */
  private readonly scratch = new ConversionScratch();

  /** @internal */
  constructor(
    private readonly rt: GraphRuntime,
    fields: { engine: string; device: 'cpu' | 'gpu'; threads: number; weightRepack?: WeightRepackInfo },
  ) {
    this.engine = fields.engine;
    this.weightRepack = fields.weightRepack ?? { enabled: false, bufferTypes: [], storages: [], reason: 'plain weights' };
    this.threads = fields.threads;
    this.capabilities = Object.freeze({ weightStorage: GGML_WEIGHT_STORAGE, lazy: true, device: fields.device });
  }

  scope<T extends ScopeResult>(fn: () => T): T {
    return this.rt.scopes.run(fn, tensorsIn);
  }
  keep<T extends Tensor>(tensor: T): T {
    this.rt.scopes.keep(tensor);
    return tensor;
  }
  memory(): BackendMemory {
    return this.rt.memory();
  }
  /**
   * Graphs computed so far: `built` were recorded, planned and allocated; `reused` reran an earlier graph of the same
   * structure with new inputs (decode steps over a padded KV cache; see `GgmlBackendOptions.reuseGraphs`);
   * `replayed` reran a recorded step ({@link GgmlBackend.recordStep}) without recording its ops again.
   */
  graphStats(): { built: number; reused: number; replayed: number } {
    return this.rt.graphStats();
  }
  /**
   * {@link Backend.recordStep}: the step's graph must be one the graph cache keeps (`reuseGraphs`, and its structure
   * seen before), so the first run of a structure is not recorded; a replay copies the new input values in and reruns
   * the kept graph on the compute thread, like a read.
   */
  recordStep(inputs: readonly Tensor[], record: () => Promise<Tensor> | Tensor): Promise<StepRecording> {
    return this.rt.recordStep(
      inputs.map((t) => asNode('recordStep', t)),
      record,
    );
  }
  dispose(): void {
    this.scratch.clear();
    this.rt.dispose();
  }

  tensor(values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: TensorDType): Tensor {
    return tensorOp(this.rt, values, shape, dtype);
  }
  fill(shape: readonly number[], value: number, dtype?: TensorDType): Tensor {
    return fillOp(this.rt, shape, value, dtype);
  }
  weight(host: HostTensor, options?: WeightOptions): Weight {
    return uploadGgmlWeight(this.rt, this.scratch, host, options);
  }
  beginWeight(host: Omit<HostTensor, 'bytes'>, options?: WeightOptions): WeightWriter {
    this.rt.assertAlive('weight');
    return beginGgmlWeight(this.rt, this.scratch, host, options, this.threads);
  }

  writeWeightRows(weight: Weight, firstRow: number, host: HostTensor): Promise<void> {
    return writeGgmlWeightRows(this.rt, this.scratch, weight, firstRow, host, this.threads);
  }

  createSequenceBuffer(options: SequenceBufferOptions): SequenceBuffer {
    return new GgmlSequenceBuffer(this.rt, options);
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
  gather(x: Tensor, indices: Tensor, axis?: number): Tensor {
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
    return unaryOp(this.rt, 'neg', 'neg', x);
  }
  exp(x: Tensor): Tensor {
    return unaryOp(this.rt, 'exp', 'exp', x);
  }
  log(x: Tensor): Tensor {
    return unaryOp(this.rt, 'log', 'log', x);
  }
  sqrt(x: Tensor): Tensor {
    return unaryOp(this.rt, 'sqrt', 'sqrt', x);
  }
  rsqrt(x: Tensor): Tensor {
    return unaryOp(this.rt, 'rsqrt', 'rsqrt', x);
  }
  square(x: Tensor): Tensor {
    return unaryOp(this.rt, 'square', 'square', x);
  }
  silu(x: Tensor): Tensor {
    return unaryOp(this.rt, 'silu', 'silu', x);
  }
  gelu(x: Tensor, approximate: 'tanh' | 'erf'): Tensor {
    return unaryOp(this.rt, approximate === 'tanh' ? 'gelu' : 'gelu_erf', 'gelu', x);
  }
  sigmoid(x: Tensor): Tensor {
    return unaryOp(this.rt, 'sigmoid', 'sigmoid', x);
  }
  tanh(x: Tensor): Tensor {
    return unaryOp(this.rt, 'tanh', 'tanh', x);
  }
  /** {@link Backend.swiglu}: one fused `GGML_OP_GLU` node (ggml's `swiglu`) instead of `silu` + `mul`. */
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
    return argMaxOp(this.rt, x, axis);
  }
  softmax(x: Tensor, axis = -1): Tensor {
    return reduceOp(this.rt, 'softmax', x, axis);
  }
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return reduceOp(this.rt, 'logSoftmax', x, axis);
  }
  topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
    return topkOp(this.rt, x, k);
  }
  cumsum(x: Tensor, axis: number): Tensor {
    return reduceOp(this.rt, 'cumsum', x, axis);
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
  /** {@link Backend.ropePositions}: one fused `ggml_rope_ext` node per call. */
  ropePositions(x: Tensor, positions: Tensor, inverseFrequencies: Tensor, layout: RopeLayout): Tensor {
    return ropePositionsOp(this.rt, x, positions, inverseFrequencies, layout);
  }
  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
    return attentionOp(this.rt, q, k, v, options);
  }
}
