import { BACKEND_SPEC_VERSION, type Backend, type BackendCapabilities } from '../../backend/backend.js';
import { attentionOp } from './attention-op.js';
import { fillOp, tensorOp, weightOp, writeWeightRowsOp } from './creation-ops.js';
import { binaryOp, geluOp, swigluOp, unaryOp, whereOp } from './elementwise-ops.js';
import { castOp, gatherOp } from './indexing-ops.js';
import { linearOp, matmulOp } from './linalg-ops.js';
import { expertMatmulOp, routeExpertsOp } from './moe-ops.js';
import { layerNormOp, rmsNormOp } from './norm-ops.js';
import { cumsumOp, reduceOp } from './reduction-ops.js';
import { ReferenceRuntime } from './reference-runtime.js';
import { ropeOp, ropePositionsOp } from './rope-op.js';
import { concatOp, reshapeOp, sliceOp, transposeOp } from './shape-ops.js';
import { softmaxOp, topkOp } from './softmax-ops.js';

/** Options for {@link createReferenceBackend}. */
export interface ReferenceBackendOptions {
  /** Reported as {@link BackendCapabilities.maxBytes}; the reference backend does not enforce it. Default `undefined`. */
  maxBytes?: number;
}

/**
 * A plain-JavaScript implementation of the whole {@link Backend} spec, computing eagerly in float64.
 *
 * It is the oracle other backends are checked against and the backend of choice for unit tests on tiny
 * fixtures: simple, exact to the spec, strict about inputs (every mismatch throws `BackendError` naming the op
 * and the shapes; a disposed or foreign tensor throws too), and not fast.
 *
 * - `float32` tensors hold float64 values; `data()` rounds them to a `Float32Array`. `int32` tensors hold an `Int32Array`.
 * - `scope`/`keep` behave like `tf.tidy`/`tf.keep`; `memory()` counts live tensors and 4 bytes per element.
 * - `weight()` decodes any `HostTensor` and stores it as `float32` whatever was requested (`storage` says so);
 *   integer host types become int32 tensors.
 * - Elementwise dtype rules: `add`, `sub`, `mul`, `maximum`, `neg`, `square`, `sum`, `max`, `cumsum`, `where` keep int32
 *   when every tensor operand is int32 (a number operand counts as int32 when it is an integer); everything else
 *   yields float32.
 */
export function createReferenceBackend(options: ReferenceBackendOptions = {}): Backend {
  const rt = new ReferenceRuntime();
  const capabilities: BackendCapabilities = {
    weightStorage: ['float32'],
    lazy: false,
    device: 'cpu',
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  };
  return {
    specificationVersion: BACKEND_SPEC_VERSION,
    name: 'reference',
    engine: 'reference-js',
    capabilities,

    scope: (fn) => rt.scope(fn),
    keep: (tensor) => rt.keep(tensor),
    memory: () => rt.memory(),
    dispose: () => rt.dispose(),

    tensor: (values, shape, dtype) => tensorOp(rt, values, shape, dtype),
    fill: (shape, value, dtype) => fillOp(rt, shape, value, dtype),
    weight: (host, weightOptions) => weightOp(rt, host, weightOptions),
    writeWeightRows: (weight, firstRow, host) => writeWeightRowsOp(rt, weight, firstRow, host),

    reshape: (x, shape) => reshapeOp(rt, x, shape),
    transpose: (x, perm) => transposeOp(rt, x, perm),
    concat: (xs, axis) => concatOp(rt, xs, axis),
    slice: (x, begin, size) => sliceOp(rt, x, begin, size),
    gather: (x, indices, axis) => gatherOp(rt, x, indices, axis),
    cast: (x, dtype) => castOp(rt, x, dtype),

    add: (a, b) => binaryOp(rt, 'add', a, b),
    sub: (a, b) => binaryOp(rt, 'sub', a, b),
    mul: (a, b) => binaryOp(rt, 'mul', a, b),
    div: (a, b) => binaryOp(rt, 'div', a, b),
    maximum: (a, b) => binaryOp(rt, 'maximum', a, b),
    neg: (x) => unaryOp(rt, 'neg', x),
    exp: (x) => unaryOp(rt, 'exp', x),
    log: (x) => unaryOp(rt, 'log', x),
    sqrt: (x) => unaryOp(rt, 'sqrt', x),
    rsqrt: (x) => unaryOp(rt, 'rsqrt', x),
    square: (x) => unaryOp(rt, 'square', x),
    silu: (x) => unaryOp(rt, 'silu', x),
    gelu: (x, approximate) => geluOp(rt, x, approximate),
    sigmoid: (x) => unaryOp(rt, 'sigmoid', x),
    tanh: (x) => unaryOp(rt, 'tanh', x),
    swiglu: (gate, up) => swigluOp(rt, gate, up),
    where: (cond, a, b) => whereOp(rt, cond, a, b),

    sum: (x, axis, keepDims) => reduceOp(rt, 'sum', x, axis, keepDims),
    mean: (x, axis, keepDims) => reduceOp(rt, 'mean', x, axis, keepDims),
    max: (x, axis, keepDims) => reduceOp(rt, 'max', x, axis, keepDims),
    argMax: (x, axis) => reduceOp(rt, 'argMax', x, axis),
    softmax: (x, axis) => softmaxOp(rt, x, axis, false),
    logSoftmax: (x, axis) => softmaxOp(rt, x, axis, true),
    topk: (x, k) => topkOp(rt, x, k),
    cumsum: (x, axis) => cumsumOp(rt, x, axis),

    matmul: (a, b, matmulOptions) => matmulOp(rt, a, b, matmulOptions),
    linear: (x, weight, bias) => linearOp(rt, x, weight, bias),

    routeExperts: (logits, routingOptions) => routeExpertsOp(rt, logits, routingOptions),
    expertMatmul: (x, weights, experts) => expertMatmulOp(rt, x, weights, experts),

    rmsNorm: (x, weight, eps) => rmsNormOp(rt, x, weight, eps),
    layerNorm: (x, weight, bias, eps) => layerNormOp(rt, x, weight, bias, eps),
    rope: (x, cos, sin, layout) => ropeOp(rt, x, cos, sin, layout),
    ropePositions: (x, positions, inverseFrequencies, layout) => ropePositionsOp(rt, x, positions, inverseFrequencies, layout),
    attention: (q, k, v, attentionOptions) => attentionOp(rt, q, k, v, attentionOptions),
  };
}
