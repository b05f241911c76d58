import { describe, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { type ConformanceCaseTolerance, createConformanceRegistry, type ConformanceTolerance } from './backend-conformance-context.js';
import { registerCacheTests } from './backend-conformance-cache.js';
import { registerReplayTests } from './backend-conformance-replay.js';
import { registerCreationTests } from './backend-conformance-creation.js';
import { registerElementwiseTests } from './backend-conformance-elementwise.js';
import { registerLinalgTests } from './backend-conformance-linalg.js';
import { registerBackendDisposeTest, registerMemoryTests } from './backend-conformance-memory.js';
import { registerMoeTests } from './backend-conformance-moe.js';
import { registerNnTests } from './backend-conformance-nn.js';
import { registerReductionTests } from './backend-conformance-reductions.js';
import { registerShapeTests } from './backend-conformance-shape.js';

export type { ConformanceCaseTolerance, ConformanceTolerance } from './backend-conformance-context.js';

/** Default tolerance of {@link describeBackendConformance}: `|actual - expected| <= 1e-5 + 1e-5 * |expected|`. */
export const DEFAULT_CONFORMANCE_TOLERANCE: ConformanceTolerance = { abs: 1e-5, rel: 1e-5 };

/** Options for {@link describeBackendConformance}. */
export interface BackendConformanceOptions {
  /**
   * Test ids to skip, each with the reason (a commented skip list, as in tfjs). Ids look like `nn/rope-half-full`;
   * the ids appear as test titles. Unknown ids fail the suite, so the list cannot go stale.
   */
  skip?: Record<string, string>;
  /**
   * Numerical tolerance for non-exact comparisons: a value passes when `|actual - expected| <= abs + rel * |expected|`.
   * Default {@link DEFAULT_CONFORMANCE_TOLERANCE} (abs 1e-5, rel 1e-5). Shape, dtype, index and data-movement results
   * (gather, slice, transpose, concat, cast, argMax, topk, weight decoding) are always compared exactly.
   */
  tolerance?: ConformanceTolerance;
  /**
   * Tolerances of their own for single tests, each with the error model of the backend's lossy step it comes from
   * (e.g. a mask stored in float16). Unknown ids fail the suite, like the skip list.
   */
  caseTolerance?: Record<string, ConformanceCaseTolerance>;
}

/**
 * Declares (with vitest's `describe`/`it`) the conformance suite every {@link Backend} must pass.
 *
 * It checks every op of the spec against plain float64 loops written in the suite (seeded random inputs, odd shapes,
 * size-1 dimensions, broadcasting, negative axes, transposed and sliced inputs), plus `scope`/`keep` semantics,
 * leak-freedom (after each test, once the test disposed what it created, `memory().tensors` is back where it started),
 * `BackendError`s on bad shapes, weight decoding from F32/F16/BF16, GQA attention with masks, both rope layouts with
 * partial rotary, `topk` ties and the int32 paths. `createBackend` runs once per suite (and once more for the final
 * `Backend.dispose` test). Call it at the top level of a `*.test.ts` file.
 *
 * @example
 * ```ts
 * import { describeBackendConformance } from '@pio/core/testing/conformance';
 *
 * describeBackendConformance('tfjs-cpu', () => createTfjsBackend({ engine: 'cpu' }), {
 *   skip: { 'creation/weight-bf16-subnormal': 'WebGL flushes float32 subnormals to zero' },
 * });
 * ```
 */
export function describeBackendConformance(name: string, createBackend: () => Backend | Promise<Backend>, options: BackendConformanceOptions = {}): void {
  const skip = options.skip ?? {};
  const tolerance = options.tolerance ?? DEFAULT_CONFORMANCE_TOLERANCE;
  describe(`backend conformance: ${name}`, () => {
    const caseTolerance = options.caseTolerance ?? {};
    const registry = createConformanceRegistry(createBackend, skip, tolerance, caseTolerance);
    describe('memory', () => registerMemoryTests(registry));
    describe('creation', () => registerCreationTests(registry));
    describe('shape', () => registerShapeTests(registry));
    describe('elementwise', () => registerElementwiseTests(registry));
    describe('reductions', () => registerReductionTests(registry));
    describe('linalg', () => registerLinalgTests(registry));
    describe('nn', () => registerNnTests(registry));
    describe('moe', () => registerMoeTests(registry));
    describe('cache', () => registerCacheTests(registry));
    describe('replay', () => registerReplayTests(registry));
    describe('backend dispose', () => registerBackendDisposeTest(registry, createBackend));
    it('skip list names only existing tests', () => {
      // read when the test runs: nested describe callbacks may register their ids after this one returns
      const unknown = [...Object.keys(skip), ...Object.keys(caseTolerance)].filter((id) => !registry.ids.has(id));
      if (unknown.length > 0) throw new Error(`unknown ids in the skip list: ${unknown.join(', ')}`);
    });
  });
}
