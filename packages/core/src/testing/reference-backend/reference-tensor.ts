import type { Weight } from '../../backend/backend.js';
import type { Tensor, TensorDType } from '../../backend/tensor.js';
import type { WeightStorage } from '../../backend/weight-storage.js';
import { BackendError } from '../../errors/backend-error.js';
import { fmt } from './shape-utils.js';

/** Values held by a reference tensor: float64 for `float32` tensors (higher precision than the spec asks), int32 otherwise. */
export type ReferenceValues = Float64Array | Int32Array;

/** Callbacks a {@link ReferenceTensor} uses to tell its runtime it was freed. */
export interface ReferenceTensorOwner {
  /** Called once, on the first {@link ReferenceTensor.dispose}. */
  release(tensor: ReferenceTensor): void;
}

/** A tensor of the reference backend: plain host values, computed eagerly. */
export class ReferenceTensor implements Tensor {
  /** Logical shape (frozen copy). */
  readonly shape: readonly number[];
  /** True once {@link ReferenceTensor.keep} marked it to survive every scope. */
  kept = false;
  private disposed = false;
  private held: ReferenceValues | undefined;

  constructor(
    private readonly owner: ReferenceTensorOwner,
    values: ReferenceValues,
    shape: readonly number[],
    /** Element type. */
    readonly dtype: TensorDType,
  ) {
    this.shape = Object.freeze([...shape]);
    this.held = values;
  }

  /** True once disposed. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The values, for ops; throws a {@link BackendError} naming `op` when the tensor was disposed. */
  valuesFor(op: string): ReferenceValues {
    if (this.disposed || !this.held) {
      throw new BackendError(op, `tensor ${this.dtype}${fmt(this.shape)} was already disposed; keep() it or return it from its scope`);
    }
    return this.held;
  }

  /** Copies the values to a `Float32Array` (float32) or `Int32Array` (int32). */
  async data(): Promise<Float32Array | Int32Array> {
    const values = this.valuesFor('data');
    return this.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  }

  /** Frees the tensor; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.held = undefined;
    this.owner.release(this);
  }
}

/** A weight of the reference backend: a {@link ReferenceTensor} that reports its storage. */
export class ReferenceWeight extends ReferenceTensor implements Weight {
  constructor(
    owner: ReferenceTensorOwner,
    values: ReferenceValues,
    shape: readonly number[],
    dtype: TensorDType,
    /** Storage actually used (always `float32` here). */
    readonly storage: WeightStorage,
    /** Bytes held. */
    readonly byteSize: number,
  ) {
    super(owner, values, shape, dtype);
  }
}
