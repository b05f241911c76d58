import { BackendError, checkWeightRows, HOST_DTYPE_BYTES, type HostTensor, type Weight } from '@pio/core';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { asNode } from '../ops/op-support.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import type { ConversionScratch } from './conversion-scratch.js';
import { decodeRowsInto } from './decode-rows.js';

/**
 * `Backend.writeWeightRows` on ggml: decodes `host` to float32, converts it to the weight's ggml type
 * (`ggml_quantize_chunk` for compact types, on `threads` worker threads at once, each a share of the rows: rows
 * quantize independently, so the bytes are those of one call) and sets the bytes at the rows' offset. The write waits
 * its turn behind every computation already queued on the runtime, so graphs asked for before it read the old rows.
 */
export async function writeGgmlWeightRows(
  rt: GraphRuntime,
  scratch: ConversionScratch,
  weight: Weight,
  firstRow: number,
  host: HostTensor,
  threads = 1,
): Promise<void> {
  const node = asNode('writeWeightRows', weight);
  if (node.repacked !== undefined)
    throw new BackendError(
      'writeWeightRows',
      `the weight is held in ggml's ${node.repacked} layout, which takes whole tensors; load it with repackWeights: false to rewrite rows`,
    );
  const [rows, rowLength] = checkWeightRows(node.shape, firstRow, host.shape);
  const elementBytes = HOST_DTYPE_BYTES[host.dtype];
  if (elementBytes === undefined) throw new BackendError('writeWeightRows', `cannot decode rows of dtype ${String(host.dtype)}`);
  if (host.bytes.byteLength !== rows * rowLength * elementBytes)
    throw new BackendError('writeWeightRows', `${host.bytes.byteLength} bytes do not hold ${rows} rows of ${rowLength} ${host.dtype} values`);
  if (rows === 0) return;
  const type = node.ggmlType;
  const storedRowBytes = rt.api.ggml_row_size(type, rowLength);
  const lease = scratch.lease(rows * rowLength, type === GGML_TYPE.F32 ? 0 : rows * storedRowBytes);
  try {
    decodeRowsInto(host.dtype, host.bytes, lease.values, rt.api);
    await rt.afterQueued(async () => {
      rt.assertAlive('writeWeightRows');
      if (node.ptr === undefined) throw new BackendError('writeWeightRows', 'the weight is not allocated (disposed?)');
      if (type !== GGML_TYPE.F32) {
        // a share of the rows per thread (a miss of an expert budget happens between computations, when the cores
        // are free): on 2 cores a [1536, 2048] projection quantizes to Q8_0 in 4.0-4.6 ms instead of 7.6-7.9
        const share = Math.ceil(rows / Math.max(1, Math.min(threads, rows)));
        const parts: Promise<number>[] = [];
        for (let start = 0; start < rows; start += share) {
          const count = Math.min(share, rows - start);
          const values = lease.values.subarray(start * rowLength, (start + count) * rowLength);
          const encoded = lease.encoded.subarray(start * storedRowBytes, (start + count) * storedRowBytes);
          parts.push(rt.api.quantizeChunkAsync(type, values, encoded, count, rowLength));
        }
        await Promise.all(parts);
      }
      rt.assertAlive('writeWeightRows');
      const stored = type === GGML_TYPE.F32 ? new Uint8Array(lease.values.buffer, lease.values.byteOffset, lease.values.byteLength) : lease.encoded;
      rt.api.ggml_backend_tensor_set(node.ptr, stored, firstRow * storedRowBytes, stored.byteLength);
    });
  } finally {
    lease.release();
  }
}
