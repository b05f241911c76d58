import { BackendError, checkWeightRows, HOST_DTYPE_BYTES, type HostTensor, type Weight } from '@pio/core';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { asNode } from '../ops/op-support.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import type { ConversionScratch } from './conversion-scratch.js';
import { decodeRowsInto } from './decode-rows.js';
import { quantizeInShares } from './quantize-in-shares.js';

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
      // a miss of an expert budget happens between computations, when the cores are free for the shares
      if (type !== GGML_TYPE.F32) await quantizeInShares(rt.api, type, lease.values, lease.encoded, rows, rowLength, storedRowBytes, threads);
      rt.assertAlive('writeWeightRows');
      const stored = type === GGML_TYPE.F32 ? new Uint8Array(lease.values.buffer, lease.values.byteOffset, lease.values.byteLength) : lease.encoded;
      rt.api.ggml_backend_tensor_set(node.ptr, stored, firstRow * storedRowBytes, stored.byteLength);
    });
  } finally {
    lease.release();
  }
}
