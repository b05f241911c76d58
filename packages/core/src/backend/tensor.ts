/** Element type of an activation tensor. Weights may be stored more compactly, see {@link WeightStorage}. */
export type TensorDType = 'float32' | 'int32';

/** Host-side typed array for a {@link TensorDType}. */
export type TypedArrayFor<D extends TensorDType> = D extends 'int32' ? Int32Array : Float32Array;

/**
 * An opaque handle to a tensor owned by a {@link Backend}.
 *
 * Ops return handles immediately; on a graph backend nothing is computed until data is read.
 * Reading data is the only synchronisation point: `await t.data()`.
 */
export interface Tensor {
  /** Logical shape, row-major (C order). */
  readonly shape: readonly number[];
  /** Element type of the values the tensor holds. */
  readonly dtype: TensorDType;
  /** Computes (if needed) and copies the values to the host. */
  data(): Promise<Float32Array | Int32Array>;
  /** Frees the backend memory. Safe to call twice. */
  dispose(): void;
  /** True once {@link Tensor.dispose} has run (directly or by a scope). */
  readonly isDisposed: boolean;
}
