import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link GpuUnavailableError}. */
export interface GpuUnavailableFields {
  /** Why each backend could not use a GPU, e.g. `{ ggml: 'found only the CPU' }`. */
  reasons: Readonly<Record<string, string>>;
  /** Packages that would add GPU support here, best first (e.g. `@node-llama-cpp/linux-x64-cuda`). */
  packages: readonly string[];
}

/** `--device gpu` was given, but no backend could start on a GPU here. */
export class GpuUnavailableError extends PioError {
  /** Why each backend could not use a GPU. */
  readonly reasons: Readonly<Record<string, string>>;
  /** Packages that would add GPU support. */
  readonly packages: readonly string[];

  constructor(fields: GpuUnavailableFields, options: PioErrorOptions = {}) {
    const why = Object.entries(fields.reasons)
      .map(([name, reason]) => `${name}: ${reason}`)
      .join('; ');
    const install = fields.packages.length > 0 ? `, or add a GPU build (\`npm install ${fields.packages[0]}\` next to @pio/backend-ggml)` : '';
    super(
      'PIO_CLI_GPU_UNAVAILABLE',
      `--device gpu: no backend can use a GPU here (${why}). Leave out --device (or use --device cpu)${install}; \`pio doctor\` shows what this machine has.`,
      options,
    );
    this.name = 'GpuUnavailableError';
    this.reasons = fields.reasons;
    this.packages = fields.packages;
  }

  /** True when `error` is a {@link GpuUnavailableError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is GpuUnavailableError {
    return PioError.isInstance(error) && error.code === 'PIO_CLI_GPU_UNAVAILABLE';
  }
}
