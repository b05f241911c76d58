import type { BackendMemory, ScopeResult } from '../../backend/backend.js';
import type { Tensor, TensorDType } from '../../backend/tensor.js';
import type { WeightStorage } from '../../backend/weight-storage.js';
import { BackendError } from '../../errors/backend-error.js';
import { ReferenceTensor, ReferenceWeight, type ReferenceTensorOwner, type ReferenceValues } from './reference-tensor.js';
import { fmt, sizeOf } from './shape-utils.js';

/** Logical bytes per element (float32 and int32 are both 4 bytes, whatever the host array holds). */
const BYTES_PER_ELEMENT = 4;

/**
 * Bookkeeping of the reference backend: live tensors, the scope stack and ownership checks.
 *
 * Scopes behave like `tf.tidy`: tensors created inside a scope are freed when it ends unless they are returned
 * (single tensor, array or record; they move to the parent scope) or kept (they survive every scope).
 */
export class ReferenceRuntime implements ReferenceTensorOwner {
  private readonly live = new Set<ReferenceTensor>();
  private readonly scopes: Array<Set<ReferenceTensor>> = [];
  private bytes = 0;
  private closed = false;

  /** Creates and tracks a tensor. `shape` must already be validated against `values`. */
  create(values: ReferenceValues, shape: readonly number[], dtype: TensorDType): ReferenceTensor {
    this.checkOpen('create');
    return this.track(new ReferenceTensor(this, values, shape, dtype));
  }

  /** Creates and tracks a weight. */
  createWeight(values: ReferenceValues, shape: readonly number[], dtype: TensorDType, storage: WeightStorage): ReferenceWeight {
    this.checkOpen('weight');
    return this.track(new ReferenceWeight(this, values, shape, dtype, storage, sizeOf(shape) * BYTES_PER_ELEMENT));
  }

  /** Returns `t` as a live tensor of this backend, or throws a {@link BackendError} naming `op` and `name`. */
  read(op: string, t: Tensor, name = 'x'): ReferenceTensor {
    this.checkOpen(op);
    if (!(t instanceof ReferenceTensor) || !this.owns(t)) {
      if (t instanceof ReferenceTensor && t.isDisposed) t.valuesFor(op);
      throw new BackendError(op, `${name} is not a live tensor of this reference backend (got ${describe(t)})`);
    }
    return t;
  }

  /** Called by tensors when they are disposed. */
  release(tensor: ReferenceTensor): void {
    if (!this.live.delete(tensor)) return;
    this.bytes -= sizeOf(tensor.shape) * BYTES_PER_ELEMENT;
    for (const scope of this.scopes) scope.delete(tensor);
  }

  /** `tf.tidy`-like scope; see the class comment. */
  scope<T extends ScopeResult>(fn: () => T): T {
    this.checkOpen('scope');
    const created = new Set<ReferenceTensor>();
    this.scopes.push(created);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.endScope(created, new Set());
      throw error;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      this.endScope(created, new Set());
      throw new BackendError('scope', 'the callback returned a Promise; scope callbacks must be synchronous (await data outside the scope)');
    }
    this.endScope(created, collectTensors(result));
    return result;
  }

  /** Marks `tensor` to survive every enclosing scope. */
  keep<T extends Tensor>(tensor: T): T {
    this.read('keep', tensor).kept = true;
    return tensor;
  }

  /** Live tensors and their logical bytes. */
  memory(): BackendMemory {
    return { tensors: this.live.size, bytes: this.bytes };
  }

  /** Frees everything; the runtime refuses all further work. */
  dispose(): void {
    for (const t of [...this.live]) t.dispose();
    this.scopes.length = 0;
    this.closed = true;
  }

  private track<T extends ReferenceTensor>(tensor: T): T {
    this.live.add(tensor);
    this.bytes += sizeOf(tensor.shape) * BYTES_PER_ELEMENT;
    this.scopes[this.scopes.length - 1]?.add(tensor);
    return tensor;
  }

  private owns(t: ReferenceTensor): boolean {
    return this.live.has(t);
  }

  private endScope(created: Set<ReferenceTensor>, results: Set<Tensor>): void {
    this.scopes.pop();
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of created) {
      if (t.kept) continue;
      if (results.has(t)) parent?.add(t);
      else t.dispose();
    }
  }

  private checkOpen(op: string): void {
    if (this.closed) throw new BackendError(op, 'the reference backend was disposed; create a new one');
  }
}

function collectTensors(result: unknown): Set<Tensor> {
  const out = new Set<Tensor>();
  const add = (v: unknown) => {
    if (v instanceof ReferenceTensor) out.add(v);
  };
  if (Array.isArray(result)) result.forEach(add);
  else if (result instanceof ReferenceTensor) add(result);
  else if (result !== null && typeof result === 'object') Object.values(result).forEach(add);
  return out;
}

function describe(t: unknown): string {
  if (t !== null && typeof t === 'object' && 'shape' in t && Array.isArray((t as Tensor).shape)) {
    return `${(t as Tensor).dtype}${fmt((t as Tensor).shape)}`;
  }
  return typeof t;
}
