import type { Backend, Weight } from '../backend/backend.js';
import type { WeightOptions } from '../backend/weight-storage.js';
import type { Checkpoint } from './checkpoint.js';
import type { TensorInfo } from './tensor-info.js';

/**
 * Uploads checkpoint tensors part by part (`Checkpoint.readRange` → `WeightWriter.write`) through one reused host
 * buffer of about `partBytes` (at least one row), so a weight source never holds a whole tensor on the host. A part
 * is read while the previous one converts (ggml quantizes on worker threads).
 * A second upload running while the buffer is busy gets a buffer of its own.
 */
export class StreamedUpload {
  private buffer: Uint8Array | undefined;
  private busy = false;

  constructor(private readonly partBytes: number) {}

  /** Streams checkpoint tensor `name` (described by `info`) into a weight of `backend` (which has `beginWeight`). */
  async upload(backend: Backend, checkpoint: Checkpoint, name: string, info: TensorInfo, options: WeightOptions, signal?: AbortSignal): Promise<Weight> {
    const writer = backend.beginWeight!({ dtype: info.dtype, shape: info.shape }, options);
    const shared = !this.busy;
    if (shared) this.busy = true;
    try {
      const { rowBytes, rows } = writer;
      const partRows = rowBytes === 0 ? rows : Math.max(1, Math.min(rows, Math.floor(this.partBytes / rowBytes)));
      const buffer = this.bufferOf(partRows * rowBytes, shared);
      // the next part is read while the previous one converts (a writer is done with the bytes once `write` returns);
      // one conversion in flight, so a backend reuses its conversion buffers
      let converting: Promise<void> | undefined;
      for (let row = 0; row < rows; row += partRows) {
        const part = buffer.subarray(0, Math.min(partRows, rows - row) * rowBytes);
        await checkpoint.readRange!(name, row * rowBytes, part);
        signal?.throwIfAborted();
        await converting;
        converting = writer.write(part) ?? undefined;
        converting?.catch(() => {}); // rejections are taken by the await above or below, not lost while the next part reads
      }
      await converting;
      return writer.finish();
    } catch (error) {
      writer.abort();
      throw error;
    } finally {
      if (shared) this.busy = false;
    }
  }

  private bufferOf(length: number, shared: boolean): Uint8Array {
    if (!shared) return new Uint8Array(length);
    if (!this.buffer || this.buffer.byteLength < length) this.buffer = new Uint8Array(length);
    return this.buffer;
  }
}
