import { BackendError, type HostTensor, type Weight, type WeightOptions } from '@pio/core';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import type { ConversionScratch } from './conversion-scratch.js';
import { beginGgmlWeight } from './ggml-weight-writer.js';

/** Host bytes converted per part when a whole tensor is uploaded at once (bounds the float32 scratch to 2x this for BF16). */
const PART_BYTES = 4 * 2 ** 20;

/**
 * `Backend.weight` on ggml: uploads a whole host tensor through {@link beginGgmlWeight} in parts of whole rows, so
 * the conversion (decode to float32, quantize) never expands the whole tensor on the host.
 */
export function uploadGgmlWeight(rt: GraphRuntime, scratch: ConversionScratch, host: HostTensor, options: WeightOptions = {}): Weight {
  const writer = beginGgmlWeight(rt, scratch, host, options);
  try {
    const { rowBytes, rows } = writer;
    if (host.bytes.byteLength !== rowBytes * rows) {
      const label = options.name ? ` ${options.name}` : '';
      const detail = `${host.dtype} [${host.shape.join(', ')}] needs ${rowBytes * rows} bytes, got ${host.bytes.byteLength}`;
      throw new BackendError('weight', `cannot decode${label}: ${detail}`);
    }
    const partRows = rowBytes === 0 ? rows : Math.max(1, Math.floor(PART_BYTES / rowBytes));
    for (let row = 0; row < rows; row += partRows) {
      writer.writeSync(host.bytes.subarray(row * rowBytes, Math.min(rows, row + partRows) * rowBytes));
    }
    return writer.finish();
  } catch (error) {
    writer.abort();
    throw error;
  }
}
