import type { WeightStorage } from '@pio/core';
import { GGML_TYPE } from '../runtime/ggml-api.js';
import { loadGgml } from '../runtime/load-ggml.js';
import { locateBinaries, type GgmlBinaries } from '../runtime/locate-binaries.js';

const TYPES: Partial<Record<WeightStorage, number>> = {
  float32: GGML_TYPE.F32,
  float16: GGML_TYPE.F16,
  bfloat16: GGML_TYPE.BF16,
  q8_0: GGML_TYPE.Q8_0,
  q4_0: GGML_TYPE.Q4_0,
  q4_k: GGML_TYPE.Q4_K,
};

/**
 * Encodes float32 matrices into ggml storage types with the `ggml_quantize_chunk` call this backend uses at load, so
 * a file written with it (e.g. a GGUF for llama.cpp) holds the bytes this backend would hold.
 */
export interface GgmlRowEncoder {
  /** The ggml type id (`enum ggml_type` of ggml.h) of `storage`, or undefined when ggml has none. */
  ggmlType(storage: WeightStorage): number | undefined;
  /** Bytes of `rows` rows of `columns` values stored as `storage`. */
  byteLength(storage: WeightStorage, rows: number, columns: number): number;
  /** `values` (`[rows, columns]`, row-major) encoded as `storage`; the block formats need `columns` divisible by their block. */
  encode(storage: WeightStorage, values: Float32Array, rows: number, columns: number): Uint8Array;
}

/**
 * Loads ggml (from `binaries`, default the first installed `@node-llama-cpp/<platform>` build) and returns a
 * {@link GgmlRowEncoder}. A missing build is a `GgmlUnavailableError`.
 */
export async function createGgmlRowEncoder(binaries: GgmlBinaries | undefined = locateBinaries()[0]): Promise<GgmlRowEncoder> {
  const { api } = await loadGgml(binaries);
  const typeOf = (storage: WeightStorage): number => {
    const type = TYPES[storage];
    if (type === undefined) throw new TypeError(`ggml has no storage type for ${storage}`);
    return type;
  };
  return {
    ggmlType: (storage) => TYPES[storage],
    byteLength: (storage, rows, columns) => api.ggml_row_size(typeOf(storage), columns) * rows,
    encode: (storage, values, rows, columns) => {
      const type = typeOf(storage);
      if (values.length !== rows * columns) throw new RangeError(`encode: ${values.length} values are not [${rows}, ${columns}]`);
      const bytes = new Uint8Array(api.ggml_row_size(type, columns) * rows);
      api.ggml_quantize_chunk(type, values, bytes, 0, rows, columns, null);
      return bytes;
    },
  };
}
