import type { HostDType, HostTensor } from '../backend/host-tensor.js';
import type { TensorInfo } from './tensor-info.js';

/**
 * The weights of a model folder: one `model.safetensors`, or shards listed by `model.safetensors.index.json`.
 * Every shard header is validated when opened; tensor data is read on demand.
 */
export interface Checkpoint {
  /** The model folder. */
  readonly dir: string;
  /** The safetensors files, absolute paths, in index order. */
  readonly files: readonly string[];
  /** Sum of all tensors' byte lengths. */
  readonly totalBytes: number;
  /** The dtypes present (a BF16 checkpoint may hold some F32 tensors). */
  readonly storageDtypes: ReadonlySet<HostDType>;
  /** Metadata: the single file's `__metadata__`, or the index's `metadata` with values as strings. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names (the index's `weight_map` order for sharded checkpoints). */
  names(): string[];
  /** True when the checkpoint holds `name`. */
  has(name: string): boolean;
  /** Dtype, shape and byte length of `name`, or `undefined` when absent. */
  info(name: string): TensorInfo | undefined;
  /** Reads the bytes of `name` from its shard; throws `TensorNotFoundError` when absent. */
  read(name: string): Promise<HostTensor>;
  /**
   * Reads `target.byteLength` bytes of `name`'s data from `byteOffset` on (see `SafetensorsFile.readRange`). Optional
   * for other implementations; without it, weight sources read whole tensors.
   */
  readRange?(name: string, byteOffset: number, target: Uint8Array): Promise<void>;
  /** Closes every shard. Safe to call twice. */
  close(): Promise<void>;
}
