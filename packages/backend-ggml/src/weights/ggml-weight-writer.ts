import { BackendError, HOST_DTYPE_BYTES, type HostTensor, type Weight, type WeightOptions, type WeightWriter } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import type { ConversionScratch, ScratchLease } from './conversion-scratch.js';
import { decodeRowsInto } from './decode-rows.js';
import { quantizeInShares } from './quantize-in-shares.js';
import { planStorage } from './storage-plan.js';

/** Host dtype whose bytes are already ggml's encoding of a type (copied as they are). */
const SAME_ENCODING: Readonly<Partial<Record<HostTensor['dtype'], number>>> = { F32: GGML_TYPE.F32, F16: GGML_TYPE.F16, BF16: GGML_TYPE.BF16 };

/** A {@link WeightWriter} that can also store a part synchronously (for `Backend.weight`, which returns at once). */
export interface GgmlWeightWriter extends WeightWriter {
  /** {@link WeightWriter.write}, quantizing on this thread: the part is stored when it returns. */
  writeSync(bytes: Uint8Array): void;
}

/**
 * Starts a weight whose rows arrive in parts ({@link WeightWriter}): the ggml tensor is allocated at once in the
 * planned storage, and each part is decoded to float32 (on this thread: the caller's bytes are free once `write`
 * returns) and quantized with `ggml_quantize_chunk` on worker threads, a share of the rows on each of `threads`
 * (`write` then returns a promise: the event loop runs meanwhile), or copied as is when the checkpoint encoding is the
 * stored one, then set at its offset. Host memory holds one part per write in flight. A 2-D `linear` weight or a 3-D `experts` stack that an extra buffer type
 * takes (`WeightRepack`) gathers its stored bytes on the host and is set whole when the last row arrives.
 */
export function beginGgmlWeight(
  rt: GraphRuntime,
  scratch: ConversionScratch,
  host: Omit<HostTensor, 'bytes'>,
  options: WeightOptions = {},
  threads = 1,
): GgmlWeightWriter {
  const plan = planStorage(options.role ?? 'plain', options.storage ?? 'float32', host.shape);
  const label = options.name ? ` ${options.name}` : '';
  const elementBytes = HOST_DTYPE_BYTES[host.dtype];
  if (elementBytes === undefined) throw new BackendError('weight', `cannot decode${label}: unknown dtype ${String(host.dtype)}`);
  const perRow = host.shape.length === 0 ? 1 : host.shape[host.shape.length - 1];
  const count = host.shape.reduce((a, b) => a * b, 1);
  const rows = perRow === 0 ? 0 : count / perRow;
  const rowBytes = perRow * elementBytes;
  const storedRowBytes = rt.api.ggml_row_size(plan.ggmlType, perRow);
  const copy = SAME_ENCODING[host.dtype] === plan.ggmlType;
  const byteSize = storedRowBytes * rows;
  const repackable = (options.role === 'linear' && host.shape.length === 2) || (options.role === 'experts' && host.shape.length === 3);
  const node = rt.allocate('weight', { shape: host.shape, dtype: 'float32', ggmlType: plan.ggmlType, byteLength: byteSize, repackable }) as GraphNode & Weight;
  Object.defineProperties(node, { storage: { value: plan.storage, enumerable: true }, byteSize: { value: byteSize, enumerable: true } });
  // A repacked weight is set whole (the buffer rearranges it on that call): its stored bytes gather on the host first.
  let staging = node.repacked === undefined ? undefined : new Uint8Array(byteSize);
  let staged = 0;
  /** Stores converted bytes at `offset` of the weight (or of its staging copy, set whole once complete). */
  const store = (bytes: Uint8Array, offset: number): void => {
    if (!staging) {
      rt.api.ggml_backend_tensor_set(node.ptr, bytes, offset, bytes.byteLength);
      return;
    }
    staging.set(bytes, offset);
    staged += bytes.byteLength;
    if (staged === byteSize) {
      const whole = staging;
      staging = undefined;
      rt.api.withLogSink(undefined, () => rt.api.ggml_backend_tensor_set(node.ptr, whole, 0, byteSize)); // repacks (and logs a debug line)
    }
  };
  let written = 0;
  let converting = 0;
  let state: 'open' | 'finished' | 'aborted' = 'open';

  /** Quantizes `lease.values` on `threads` worker threads and stores the result at `offset` (unless aborted meanwhile). */
  const quantizeOffThread = async (lease: ScratchLease, partRows: number, offset: number): Promise<void> => {
    converting++;
    try {
      await quantizeInShares(rt.api, plan.ggmlType, lease.values, lease.encoded, partRows, perRow, storedRowBytes, threads);
      if (state === 'aborted') return;
      rt.assertAlive('weight');
      store(lease.encoded, offset);
    } finally {
      converting--;
      lease.release();
    }
  };

  const write = (bytes: Uint8Array, sync: boolean): void | Promise<void> => {
    if (state !== 'open') throw new BackendError('weight', `write to${label} after ${state === 'finished' ? 'finish()' : 'abort()'}`);
    rt.assertAlive('weight');
    const partRows = rowBytes === 0 ? 0 : bytes.byteLength / rowBytes;
    if (!Number.isInteger(partRows) || written + partRows > rows) {
      throw new BackendError('weight', `${bytes.byteLength} bytes are not whole rows of${label} (${rowBytes} bytes a row, ${rows - written} rows left)`);
    }
    if (partRows === 0) return;
    const offset = written * storedRowBytes;
    if (copy) {
      store(bytes, offset);
      written += partRows;
      return;
    }
    const quantized = plan.ggmlType !== GGML_TYPE.F32;
    const lease = scratch.lease(partRows * perRow, quantized ? partRows * storedRowBytes : 0);
    try {
      decodeRowsInto(host.dtype, bytes, lease.values, rt.api);
    } catch (cause) {
      lease.release();
      throw new BackendError('weight', `cannot decode${label} (${host.dtype} [${host.shape.join(', ')}])`, { cause });
    }
    written += partRows;
    if (quantized && !sync) return quantizeOffThread(lease, partRows, offset);
    try {
      if (quantized) rt.api.ggml_quantize_chunk(plan.ggmlType, lease.values, lease.encoded, 0, partRows, perRow, null);
      const stored = quantized ? lease.encoded : lease.values;
      store(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength), offset);
    } finally {
      lease.release();
    }
  };

  return {
    rowBytes,
    rows,
    write: (bytes) => write(bytes, false),
    writeSync: (bytes) => void write(bytes, true),
    finish(): Weight {
      if (state === 'finished') return node;
      if (state === 'aborted' || written !== rows) {
        throw new BackendError('weight', `${label.trim() || 'the weight'} is incomplete: ${written} of ${rows} rows written`);
      }
      if (converting > 0) throw new BackendError('weight', `${label.trim() || 'the weight'} has parts still converting: await every write() before finish()`);
      state = 'finished';
      return node;
    },
    abort(): void {
      if (state !== 'open') return;
      state = 'aborted';
      staging = undefined;
      node.dispose();
    },
  };
}
