import { BackendError } from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { decodeAll, decodeSelected, type HostCodec } from './host-codec.js';
import { WEIGHT_OWNER, type WeightHandle } from './weight-handle.js';

/**
 * A weight kept compact on the host (bfloat16, float16, int8 or int4), outside the engine's heap. Ops that use it
 * decode it to a temporary float32 tensor: `linear` decodes the whole matrix, `gather` on axis 0 only the rows it picks.
 */
export class HostWeight implements WeightHandle {
  readonly dtype = 'float32' as const;
  readonly storage: HostCodec['storage'];
  readonly byteSize: number;
  readonly heapBytes = 0;
  readonly materializeBytes: number;
  kept = false;
  readonly [WEIGHT_OWNER]: TfjsRuntime;
  #codec: HostCodec | undefined;

  constructor(
    runtime: TfjsRuntime,
    codec: HostCodec,
    /** Logical shape; the codec sees it as `[product of leading dims, last dim]`. */
    readonly shape: readonly number[],
  ) {
    this[WEIGHT_OWNER] = runtime;
    this.#codec = codec;
    this.storage = codec.storage;
    this.byteSize = codec.byteSize;
    this.materializeBytes = codec.rows * codec.cols * 4;
  }

  get isDisposed(): boolean {
    return this.#codec === undefined;
  }

  /** Float32 values, `[rows, cols]` (`logical`) or `[cols, rows]` (`transposed`). */
  decode(layout: 'logical' | 'transposed'): Float32Array {
    return decodeAll(this.codec(), layout);
  }

  /** Float32 slabs of `rowsPerId` consecutive rows starting at row `id * rowsPerId`, for each id (in range). */
  decodeRows(ids: ArrayLike<number>, rowsPerId = 1): Float32Array {
    return decodeSelected(this.codec(), ids, rowsPerId);
  }

  /** Rows of the `[rows, cols]` view. */
  get rows(): number {
    return this.codec().rows;
  }

  materialize(): TfTensor {
    return this[WEIGHT_OWNER].tf.tensor(this.decode('logical'), [...this.shape], 'float32');
  }

  async data(): Promise<Float32Array> {
    return this.decode('logical');
  }

  dispose(): void {
    if (this.#codec === undefined) return;
    this.#codec = undefined;
    this[WEIGHT_OWNER].releaseWeight(this);
  }

  private codec(): HostCodec {
    if (this.#codec === undefined) throw new BackendError('weight', `${this.storage} weight [${this.shape.join(', ')}] was disposed`);
    return this.#codec;
  }
}
