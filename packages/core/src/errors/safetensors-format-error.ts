import { PioError, type PioErrorOptions } from './pio-error.js';

/** What is wrong with a safetensors file (see {@link SafetensorsFormatError.problem}). */
export type SafetensorsProblem =
  /** The 8-byte header length is larger than the safe limit (100 MB, as the reference implementation). */
  | 'header-too-large'
  /** The file ends inside the 8-byte length prefix or inside the JSON header. */
  | 'truncated-header'
  /** The header is not UTF-8 JSON describing an object. */
  | 'invalid-json'
  /** `__metadata__` is not a map of strings to strings. */
  | 'invalid-metadata'
  /** A tensor entry is not an object with `dtype`, `shape` and `data_offsets`. */
  | 'invalid-entry'
  /** A tensor's `dtype` is not one PIO reads (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL). */
  | 'unknown-dtype'
  /** A tensor's `shape` is not a list of non-negative integers. */
  | 'invalid-shape'
  /** A tensor's `data_offsets` are not `[begin, end]` with `0 <= begin <= end`. */
  | 'invalid-offsets'
  /** `end - begin` differs from `product(shape) * bytesPerElement(dtype)`. */
  | 'size-mismatch'
  /** Two tensors' byte ranges overlap. */
  | 'overlap'
  /** The byte ranges leave a hole in the data section (the format requires them to cover it contiguously). */
  | 'gap'
  /** The data section ends before the last tensor (a truncated file, or offsets past the end of the file). */
  | 'truncated-data'
  /** Bytes follow the last tensor (the format requires the last offset to be the end of the file). */
  | 'trailing-bytes'
  /** A tensor given to the writer is inconsistent (byte length not matching dtype and shape, bad values). */
  | 'invalid-tensor';

/** A safetensors file is malformed, truncated, or uses a dtype PIO does not read. */
export class SafetensorsFormatError extends PioError {
  /** The file (or `<memory>` for tensors not yet written). */
  readonly path: string;
  /** The kind of problem. */
  readonly problem: SafetensorsProblem;
  /** The tensor the problem is about, when there is one. */
  readonly tensor: string | undefined;

  constructor(fields: { path: string; problem: SafetensorsProblem; detail: string; tensor?: string }, options: PioErrorOptions = {}) {
    const where = fields.tensor === undefined ? '' : ` (tensor "${fields.tensor}")`;
    super(
      'PIO_SAFETENSORS_FORMAT',
      `${fields.path}: invalid safetensors file${where}: ${fields.detail}. ` +
        `The file is damaged or was not fully downloaded: download the model again (pio pull) or re-export it.`,
      options,
    );
    this.name = 'SafetensorsFormatError';
    this.path = fields.path;
    this.problem = fields.problem;
    this.tensor = fields.tensor;
  }

  /** True when `error` is a {@link SafetensorsFormatError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is SafetensorsFormatError {
    return PioError.isInstance(error) && error.code === 'PIO_SAFETENSORS_FORMAT';
  }
}
