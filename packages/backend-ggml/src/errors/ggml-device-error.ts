import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link GgmlDeviceError}. */
export interface GgmlDeviceErrorFields {
  /** The device that was asked for. */
  requested: string;
  /** Devices ggml reported, by name. */
  available: readonly string[];
}

/** The requested ggml device (e.g. `cuda`) is not among the devices the loaded ggml build reports. */
export class GgmlDeviceError extends PioError {
  /** The device that was asked for. */
  readonly requested: string;
  /** Devices ggml reported. */
  readonly available: readonly string[];

  constructor(fields: GgmlDeviceErrorFields, options: PioErrorOptions = {}) {
    super(
      'PIO_GGML_DEVICE_UNAVAILABLE',
      `The ggml device '${fields.requested}' is not available (found: ${fields.available.join(', ') || 'none'}). ` +
        `Install the matching @node-llama-cpp/<platform>-cuda or -vulkan package, or use device 'cpu' or 'auto'.`,
      options,
    );
    this.name = 'GgmlDeviceError';
    this.requested = fields.requested;
    this.available = fields.available;
  }

  /** True when `error` is a {@link GgmlDeviceError} from any copy of `@pio/backend-ggml`. */
  static override isInstance(error: unknown): error is GgmlDeviceError {
    return PioError.isInstance(error) && error.code === 'PIO_GGML_DEVICE_UNAVAILABLE';
  }
}
