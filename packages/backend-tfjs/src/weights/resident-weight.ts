import type { TensorDType } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { WEIGHT_OWNER, type WeightHandle } from './weight-handle.js';

/**
 * A float32 (or int32) weight held as an engine tensor. A `linear` weight may be stored `transposed`, as `[in, out]`,
 * which is the layout of the engine's fast product; its logical shape stays `[out, in]`.
 */
export class ResidentWeight implements WeightHandle {
  readonly storage = 'float32' as const;
  readonly materializeBytes: number;
  kept = false;
  readonly [WEIGHT_OWNER]: TfjsRuntime;
  readonly #tensor: TfTensor;

  constructor(
    runtime: TfjsRuntime,
    tensor: TfTensor,
    /** Logical shape. */
    readonly shape: readonly number[],
    readonly dtype: TensorDType,
    /** `transposed`: `tensor` is the 2-D logical weight transposed. */
    readonly layout: 'logical' | 'transposed',
    /** Engine bytes (the tensor, plus the engine's packed copy when it keeps one for products). */
    readonly heapBytes: number,
  ) {
    this[WEIGHT_OWNER] = runtime;
    this.#tensor = tensor;
    this.materializeBytes = layout === 'transposed' ? tensor.size * 4 : 0;
  }

  /** Bytes the weight occupies on the engine. */
  get byteSize(): number {
    return this.heapBytes;
  }

  get isDisposed(): boolean {
    return this.#tensor.isDisposed;
  }

  /** The stored engine tensor (`[in, out]` when `layout` is `transposed`). */
  get stored(): TfTensor {
    return this.#tensor;
  }

  materialize(): TfTensor {
    return this.layout === 'logical' ? this.#tensor : this[WEIGHT_OWNER].tf.transpose(this.#tensor);
  }

  async data(): Promise<Float32Array | Int32Array> {
    if (this.layout === 'logical') return (await this.#tensor.data()) as Float32Array | Int32Array;
    const runtime = this[WEIGHT_OWNER];
    runtime.activate();
    const logical = runtime.tf.tidy(() => runtime.tf.transpose(this.#tensor));
    try {
      return (await logical.data()) as Float32Array | Int32Array;
    } finally {
      logical.dispose();
    }
  }

  dispose(): void {
    if (this.#tensor.isDisposed) return;
    this.#tensor.dispose();
    this[WEIGHT_OWNER].releaseWeight(this);
  }
}
