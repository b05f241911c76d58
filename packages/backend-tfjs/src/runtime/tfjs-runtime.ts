import { BackendError, PioError, type BackendMemory, type ScopeResult, type Tensor } from '@pio/core';
import type { TensorContainer } from '@tensorflow/tfjs-core';
import type { ActiveEngine } from '../engine/active-engine.js';
import { isWeightHandle, WEIGHT_OWNER, type WeightHandle } from '../weights/weight-handle.js';
import { AllocationTracker } from './allocation-tracker.js';
import type { Tf, TfTensor } from './tf-types.js';

/** What an op asks {@link TfjsRuntime.run} to reserve. */
export interface RunRequest {
  /** Bytes of the op's result. */
  out: number;
  /** Bytes of temporaries beyond the inputs' materialization. */
  extra?: number;
  /** Inputs, so weights that must be materialized are counted. */
  inputs?: ReadonlyArray<Tensor | number | undefined>;
}

/**
 * The state of one tfjs backend: its engine, what it allocated, its scopes and weights.
 * Ops validate, then call {@link TfjsRuntime.run}, which reserves memory, runs the tfjs code in a `tidy` (freeing
 * temporaries) and tracks the result.
 */
export class TfjsRuntime {
  readonly tf: Tf;
  private readonly tracker: AllocationTracker;
  private readonly weights = new Set<WeightHandle>();
  private readonly weightScopes: Array<Set<WeightHandle>> = [];
  private readonly residents = new WeakSet<TfTensor>();
  private closed = false;

  constructor(
    readonly engine: ActiveEngine,
    /** Limit on the bytes held, or `undefined` for none. */
    readonly maxBytes: number | undefined,
  ) {
    this.tf = engine.tf;
    this.tracker = new AllocationTracker(engine.name, maxBytes, engine.traits.maxTensorBytes);
  }

  /** Throws a `BackendError` unless `t` is a live tensor or weight of this backend. */
  check(op: string, t: Tensor, name = 'x'): void {
    this.assertOpen(op);
    const ours = isWeightHandle(t) ? t[WEIGHT_OWNER] === this && this.weights.has(t) : this.isTfTensor(t) && this.tracker.owns(t);
    if (ours && !t.isDisposed) return;
    if (ours || (this.isTfTensor(t) && t.isDisposed)) throw new BackendError(op, `${name} ${describe(t)} was disposed`);
    throw new BackendError(op, `${name} is not a tensor of this ${this.engine.name} backend (got ${describe(t)})`);
  }

  /** The tfjs tensor behind `t` (weights are materialized). Call only inside {@link TfjsRuntime.run}. */
  unwrap(t: Tensor): TfTensor {
    return isWeightHandle(t) ? t.materialize() : (t as unknown as TfTensor);
  }

  /** Makes this backend's engine the active tfjs backend (another backend in the process may have switched it). */
  activate(): void {
    const name = this.engine.backendName;
    if (this.tf.getBackend() === name) return;
    // The engine is initialised, so setBackend completes synchronously.
    void this.tf.setBackend(name);
    if (this.tf.getBackend() !== name) throw new BackendError('activate', `could not switch tfjs to its '${name}' backend`);
  }

  /** Reserves memory, runs `fn` in a tidy and tracks its result tensors. */
  run<R extends TfTensor | TfTensor[]>(op: string, request: RunRequest, fn: () => R): R {
    this.assertOpen(op);
    this.activate();
    let extra = request.extra ?? 0;
    for (const input of request.inputs ?? []) if (isWeightHandle(input)) extra += input.materializeBytes;
    this.tracker.reserve(op, request.out + extra, request.out);
    let result: R;
    try {
      result = this.tf.tidy(() => {
        const r = fn();
        return (Array.isArray(r) ? r.map((t) => this.fresh(t)) : this.fresh(r)) as R;
      });
    } catch (error) {
      if (PioError.isInstance(error)) throw error;
      throw new BackendError(op, `tfjs failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    for (const t of Array.isArray(result) ? result : [result]) this.tracker.track(t);
    return result;
  }

  /** Reserves `heapBytes` for a weight about to be created (throws past the limit). */
  reserveWeight(op: string, heapBytes: number, largestTensorBytes: number): void {
    this.assertOpen(op);
    this.activate();
    this.tracker.reserve(op, heapBytes, largestTensorBytes);
  }

  /** Registers a new weight (and the engine tensor it keeps, if any). */
  addWeight(weight: WeightHandle, resident?: TfTensor): void {
    if (resident) {
      this.tf.keep(resident);
      this.residents.add(resident);
    }
    this.weights.add(weight);
    this.tracker.addFixed(weight.heapBytes);
    this.weightScopes[this.weightScopes.length - 1]?.add(weight);
  }

  /** Called by a weight's `dispose`. */
  releaseWeight(weight: WeightHandle): void {
    if (!this.weights.delete(weight)) return;
    this.tracker.removeFixed(weight.heapBytes);
    for (const scope of this.weightScopes) scope.delete(weight);
  }

  /** `tf.tidy` semantics; weights created inside are freed too unless returned or kept. */
  scope<T extends ScopeResult>(fn: () => T): T {
    this.assertOpen('scope');
    this.activate();
    const created = new Set<WeightHandle>();
    this.weightScopes.push(created);
    let returned = new Set<unknown>();
    try {
      const result = this.tf.tidy(() => {
        const r = fn();
        if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
          throw new BackendError('scope', 'the callback returned a Promise; scope callbacks must be synchronous (await data outside the scope)');
        }
        return r as TensorContainer;
      }) as T;
      returned = collect(result);
      return result;
    } finally {
      this.weightScopes.pop();
      const parent = this.weightScopes[this.weightScopes.length - 1];
      for (const w of created) {
        if (w.kept || w.isDisposed) continue;
        if (returned.has(w)) parent?.add(w);
        else w.dispose();
      }
    }
  }

  /** Marks `t` to survive every enclosing scope. */
  keep<T extends Tensor>(t: T): T {
    this.check('keep', t);
    if (isWeightHandle(t)) t.kept = true;
    else this.tf.keep(t as unknown as TfTensor);
    return t;
  }

  /** Live tensors (weights included) and bytes (host-held compact weights included). */
  memory(): BackendMemory {
    const tracked = this.tracker.memory();
    let bytes = tracked.bytes;
    for (const w of this.weights) bytes += w.byteSize;
    return { tensors: tracked.tensors + this.weights.size, bytes };
  }

  /** Frees every tensor and weight; later calls throw. */
  dispose(): void {
    if (this.closed) return;
    for (const w of [...this.weights]) w.dispose();
    this.tracker.disposeAll();
    this.closed = true;
  }

  /** Throws once the backend is disposed. */
  assertOpen(op: string): void {
    if (this.closed) throw new BackendError(op, `this ${this.engine.name} backend was disposed; create a new one`);
  }

  private isTfTensor(t: unknown): t is TfTensor {
    return t instanceof this.tf.Tensor;
  }

  /** An op may hand back one of its inputs (identity); results must be new tensors the caller may dispose. */
  private fresh(t: TfTensor): TfTensor {
    return this.tracker.owns(t) || this.residents.has(t) ? this.tf.clone(t) : t;
  }
}

function collect(result: unknown): Set<unknown> {
  if (Array.isArray(result)) return new Set(result);
  if (result !== null && typeof result === 'object') return isWeightHandle(result) ? new Set([result]) : new Set(Object.values(result));
  return new Set();
}

function describe(t: unknown): string {
  const v = t as Partial<Tensor> | null;
  return v !== null && typeof v === 'object' && Array.isArray(v.shape) ? `${String(v.dtype)}[${v.shape.join(', ')}]` : typeof t;
}
