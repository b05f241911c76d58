import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link BenchHarnessMissingError}. */
export interface BenchHarnessMissingFields {
  /** Why it could not be imported, e.g. the import error's message. */
  reason: string;
}

/**
 * `pio bench --compare` needs `@pio/bench`, PIO's benchmark harness, a private workspace package that is not
 * published: the comparison runs from a clone of the PIO repository.
 */
export class BenchHarnessMissingError extends PioError {
  /** Why it could not be imported. */
  readonly reason: string;

  constructor(fields: BenchHarnessMissingFields, options: PioErrorOptions = {}) {
    super(
      'PIO_BENCH_HARNESS_MISSING',
      `pio bench --compare needs @pio/bench, PIO's benchmark harness, which is not published (${fields.reason}). ` +
        'Run the comparison from a clone of the PIO repository: `pnpm install && pnpm build && pnpm pio bench --compare node-llama-cpp`. ' +
        '`pio bench --model <folder>` (without --compare) works in any install.',
      options,
    );
    this.name = 'BenchHarnessMissingError';
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link BenchHarnessMissingError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is BenchHarnessMissingError {
    return PioError.isInstance(error) && error.code === 'PIO_BENCH_HARNESS_MISSING';
  }
}
