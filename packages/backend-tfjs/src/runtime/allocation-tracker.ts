import { BackendError, BackendMemoryError } from '@pio/core';
import type { TfTensor } from './tf-types.js';

const BYTES_PER_ELEMENT = 4; // float32 and int32

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/**
 * Counts what a backend holds on its engine, so it can refuse an allocation before the engine's limit rather than let
 * the wasm heap corrupt earlier tensors.
 *
 * Tensors returned by ops are tracked by their data buffer (a reshape shares its input's buffer and costs nothing).
 * Tensors disposed by the caller or by a scope are noticed lazily: the set is swept when a limit would be passed,
 * when it has doubled since the last sweep, and when {@link AllocationTracker.memory} is read.
 */
export class AllocationTracker {
  private readonly live = new Set<TfTensor>();
  private readonly buffers = new Map<object, number>(); // dataId -> live tracked tensors using it
  private tensorBytes = 0; // distinct buffers of tracked tensors, disposed ones included until the next sweep
  private fixedBytes = 0; // weights and other allocations registered with `addFixed`
  private nextSweep = 1024;

  constructor(
    /** Engine name used in error messages. */
    private readonly engine: string,
    /** Total limit in bytes, or `undefined` for none. */
    readonly limitBytes?: number,
    /** Largest single tensor in bytes, or `undefined` for none. */
    readonly maxTensorBytes?: number,
  ) {}

  /**
   * Throws a `BackendMemoryError` when allocating `bytes` more would pass the limit, or a `BackendError` when one
   * tensor of `largestTensorBytes` is larger than the engine holds.
   */
  reserve(op: string, bytes: number, largestTensorBytes = bytes): void {
    if (this.maxTensorBytes !== undefined && largestTensorBytes > this.maxTensorBytes) {
      throw new BackendError(
        op,
        `a single tensor of ${gib(largestTensorBytes)} is larger than ${this.engine} holds correctly (${gib(this.maxTensorBytes + 1)}); ` +
          'split it (e.g. shard the weight or shorten the sequence) or use a native engine (@tensorflow/tfjs-node)',
      );
    }
    if (this.limitBytes === undefined || this.heapBytes() + bytes <= this.limitBytes) return;
    this.sweep();
    const allocated = this.heapBytes();
    if (allocated + bytes > this.limitBytes) {
      throw new BackendMemoryError({ requestedBytes: bytes, allocatedBytes: allocated, limitBytes: this.limitBytes, engine: this.engine });
    }
  }

  /** Starts tracking `tensor` (an op's result). */
  track(tensor: TfTensor): void {
    if (this.live.has(tensor)) return;
    this.live.add(tensor);
    const users = this.buffers.get(tensor.dataId);
    if (users === undefined) {
      this.buffers.set(tensor.dataId, 1);
      this.tensorBytes += tensor.size * BYTES_PER_ELEMENT;
    } else {
      this.buffers.set(tensor.dataId, users + 1);
    }
    if (this.live.size >= this.nextSweep) this.sweep();
  }

  /** True when `tensor` is tracked here and not yet swept (check `isDisposed` separately). */
  owns(tensor: TfTensor): boolean {
    return this.live.has(tensor);
  }

  /** Registers `bytes` held outside tracked tensors (weights). */
  addFixed(bytes: number): void {
    this.fixedBytes += bytes;
  }

  /** Releases bytes registered with {@link AllocationTracker.addFixed}. */
  removeFixed(bytes: number): void {
    this.fixedBytes -= bytes;
  }

  /** Live tracked tensors and the bytes of their buffers (fixed bytes not included). */
  memory(): { tensors: number; bytes: number } {
    this.sweep();
    return { tensors: this.live.size, bytes: this.tensorBytes };
  }

  /** Disposes every tracked tensor. */
  disposeAll(): void {
    for (const tensor of this.live) if (!tensor.isDisposed) tensor.dispose();
    this.live.clear();
    this.buffers.clear();
    this.tensorBytes = 0;
  }

  private heapBytes(): number {
    return this.tensorBytes + this.fixedBytes;
  }

  private sweep(): void {
    for (const tensor of this.live) {
      if (!tensor.isDisposed) continue;
      this.live.delete(tensor);
      const users = (this.buffers.get(tensor.dataId) ?? 1) - 1;
      if (users > 0) {
        this.buffers.set(tensor.dataId, users);
      } else {
        this.buffers.delete(tensor.dataId);
        this.tensorBytes -= tensor.size * BYTES_PER_ELEMENT;
      }
    }
    this.nextSweep = Math.max(1024, 2 * this.live.size);
  }
}
