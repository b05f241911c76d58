import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import type { Tensor, TensorDType } from '../backend/tensor.js';
import { BackendError } from '../errors/backend-error.js';
import { createRng, type Nd, seedOf } from './backend-conformance-oracle.js';

/** Absolute plus relative tolerance: `|actual - expected| <= abs + rel * |expected|`. */
export interface ConformanceTolerance {
  abs: number;
  rel: number;
}

/** What each conformance test receives. */
export interface ConformanceContext {
  /** The backend under test (created once per suite). */
  readonly backend: Backend;
  /** A PRNG seeded from the test id. */
  readonly rng: () => number;
  /** Registers a tensor to dispose after the test (the leak check then expects memory back at its start). */
  track<T extends Tensor>(tensor: T): T;
  /** Uploads a host array as a tracked tensor. */
  upload(values: Nd, dtype?: TensorDType): Tensor;
  /** Reads `tensor` and compares shape and values with `expected` at the suite tolerance (`exact` for bit equality). */
  expectValues(tensor: Tensor, expected: Nd, options?: { exact?: boolean; dtype?: TensorDType; label?: string }): Promise<void>;
  /** Expects `fn` to throw a `BackendError` whose `op` is `op`. */
  expectBackendError(op: string, fn: () => unknown): void;
}

/**
 * A tolerance of its own for one conformance test, for a backend whose documented storage of an input is lossy (e.g.
 * a mask kept in float16): the bound comes from that storage's error model, stated in `reason`.
 */
export interface ConformanceCaseTolerance {
  /** The tolerance used for this test's value comparisons instead of the suite's. */
  tolerance: ConformanceTolerance;
  /** The lossy step and the error model the bound comes from (shown in the test title). */
  reason: string;
}

/** Registers tests with a shared backend, a per-test leak check and a skip list; see `describeBackendConformance`. */
export interface ConformanceRegistry {
  /** Declares test `id` (also its title). Skipped, with its reason in the title, when `id` is in the skip list. */
  test(id: string, fn: (ctx: ConformanceContext) => Promise<void> | void): void;
  /** Ids declared so far. */
  readonly ids: ReadonlySet<string>;
}

/** Sets up hooks in the current `describe` and returns the test registry. */
export function createConformanceRegistry(
  createBackend: () => Backend | Promise<Backend>,
  skip: Readonly<Record<string, string>>,
  tolerance: ConformanceTolerance,
  caseTolerance: Readonly<Record<string, ConformanceCaseTolerance>> = {},
): ConformanceRegistry {
  let backend: Backend | undefined;
  let tracked: Tensor[] = [];
  let baseline = 0;
  const ids = new Set<string>();

  beforeAll(async () => {
    backend = await createBackend();
  });
  afterAll(() => backend?.dispose());
  beforeEach(() => {
    tracked = [];
    baseline = backend ? backend.memory().tensors : 0;
  });
  afterEach(() => {
    for (const t of tracked) t.dispose();
    tracked = [];
    if (backend) expect(backend.memory().tensors, 'live tensors after the test disposed everything it created').toBe(baseline);
  });

  const makeContext = (id: string): ConformanceContext => {
    if (!backend) throw new Error('backend was not created');
    const b = backend;
    const track = <T extends Tensor>(t: T): T => {
      tracked.push(t);
      return t;
    };
    return {
      backend: b,
      rng: createRng(seedOf(id)),
      track,
      upload: (values, dtype = 'float32') =>
        track(b.tensor(dtype === 'int32' ? Int32Array.from(values.data) : Float32Array.from(values.data), values.shape, dtype)),
      expectValues: (tensor, expected, options = {}) => compareValues(tensor, expected, caseTolerance[id]?.tolerance ?? tolerance, options),
      expectBackendError: (op, fn) => {
        let caught: unknown;
        try {
          const result = fn();
          if (result && typeof result === 'object' && 'dispose' in result) track(result as Tensor);
        } catch (error) {
          caught = error;
        }
        expect(BackendError.isInstance(caught), `${op}: expected a BackendError, got ${String(caught)}`).toBe(true);
        expect((caught as BackendError).op).toBe(op);
      },
    };
  };

  return {
    ids,
    test(id, fn) {
      if (ids.has(id)) throw new Error(`duplicate conformance test id ${id}`);
      ids.add(id);
      const reason = skip[id];
      const own = caseTolerance[id];
      const title =
        reason !== undefined ? `${id} (skipped: ${reason})` : own ? `${id} (abs ${own.tolerance.abs} + rel ${own.tolerance.rel}: ${own.reason})` : id;
      it.skipIf(reason !== undefined)(title, () => fn(makeContext(id)));
    },
  };
}

async function compareValues(
  tensor: Tensor,
  expected: Nd,
  tolerance: ConformanceTolerance,
  options: { exact?: boolean; dtype?: TensorDType; label?: string },
): Promise<void> {
  const label = options.label ?? 'result';
  expect([...tensor.shape], `${label} shape`).toEqual([...expected.shape]);
  if (options.dtype) expect(tensor.dtype, `${label} dtype`).toBe(options.dtype);
  const actual = await tensor.data();
  expect(actual.length, `${label} length`).toBe(expected.data.length);
  let bad = -1;
  for (let i = 0; i < actual.length && bad < 0; i++) {
    const [a, e] = [actual[i], expected.data[i]];
    const ok = options.exact
      ? Object.is(a, e)
      : (Number.isNaN(e) && Number.isNaN(a)) || a === e || Math.abs(a - e) <= tolerance.abs + tolerance.rel * Math.abs(e);
    if (!ok) bad = i;
  }
  const how = options.exact ? 'exactly' : `within abs ${tolerance.abs} + rel ${tolerance.rel}`;
  const where = bad < 0 ? '' : `${label}[${bad}] of [${tensor.shape.join(',')}] is ${actual[bad]}, expected ${expected.data[bad]} ${how}`;
  expect(where, `${label} values`).toBe('');
}
