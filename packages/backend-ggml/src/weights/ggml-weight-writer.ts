import { BackendError, HOST_DTYPE_BYTES, type HostTensor, type Weight, type WeightOptions, type WeightWriter } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import type { ConversionScratch } from './conversion-scratch.js';
import { decodeRowsInto } from './decode-rows.js';
import { planStorage } from './storage-plan.js';

/** Host dtype whose bytes are already ggml's encoding of a type (copied as they are). */
const SAME_ENCODING: Readonly<Partial<Record<HostTensor['dtype'], number>>> = { F32: GGML_TYPE.F32, F16: GGML_TYPE.F16, BF16: GGML_TYPE.BF16 };

/**
 * Starts a weight whose rows arrive in parts ({@link WeightWriter}): the ggml tensor is allocated at once in the
 * planned storage, and each part is decoded to float32 and quantized (`ggml_quantize_chunk`) through `scratch`, or
 * copied as is when the checkpoint encoding is the stored one, then set at its offset. Host memory holds one part.
 */
export function beginGgmlWeight(rt: GraphRuntime, scratch: ConversionScratch, host: Omit<HostTensor, 'bytes'>, options: WeightOptions = {}): WeightWriter {
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
  const node = rt.allocate('weight', { shape: host.shape, dtype: 'float32', ggmlType: plan.ggmlType, byteLength: storedRowBytes * rows }) as GraphNode &
    Weight;
  Object.defineProperties(node, { storage: { value: plan.storage, enumerable: true }, byteSize: { value: storedRowBytes * rows, enumerable: true } });
  let written = 0;
  let state: 'open' | 'finished' | 'aborted' = 'open';

  const write = (bytes: Uint8Array): void => {
    if (state !== 'open') throw new BackendError('weight', `write to${label} after ${state === 'finished' ? 'finish()' : 'abort()'}`);
    const partRows = rowBytes === 0 ? 0 : bytes.byteLength / rowBytes;
    if (!Number.isInteger(partRows) || written + partRows > rows) {
      throw new BackendError('weight', `${bytes.byteLength} bytes are not whole rows of${label} (${rowBytes} bytes a row, ${rows - written} rows left)`);
    }
    if (partRows === 0) return;
    const offset = written * storedRowBytes;
    if (copy) {
      rt.api.ggml_backend_tensor_set(node.ptr, bytes, offset, bytes.byteLength);
    } else {
      const values = scratch.float32(partRows * perRow);
      try {
        decodeRowsInto(host.dtype, bytes, values);
      } catch (cause) {
        throw new BackendError('weight', `cannot decode${label} (${host.dtype} [${host.shape.join(', ')}])`, { cause });
      }
      if (plan.ggmlType === GGML_TYPE.F32) {
        rt.api.ggml_backend_tensor_set(node.ptr, values, offset, values.byteLength);
      } else {
        const encoded = scratch.bytes(partRows * storedRowBytes);
        rt.api.ggml_quantize_chunk(plan.ggmlType, values, encoded, 0, partRows, perRow, null);
        rt.api.ggml_backend_tensor_set(node.ptr, encoded, offset, encoded.byteLength);
      }
    }
    written += partRows;
  };

  return {
    rowBytes,
    rows,
    write,
    finish(): Weight {
      if (state === 'finished') return node;
      if (state === 'aborted' || written !== rows) {
        throw new BackendError('weight', `${label.trim() || 'the weight'} is incomplete: ${written} of ${rows} rows written`);
      }
      state = 'finished';
      return node;
    },
    abort(): void {
      if (state !== 'open') return;
      state = 'aborted';
      node.dispose();
    },
  };
}
