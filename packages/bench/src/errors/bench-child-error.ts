import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link BenchChildError}. */
export interface BenchChildFields {
  /** The engine the child ran. */
  engine: string;
  /** The weight storage it ran with. */
  storage: string;
  /** The child's exit code (`null` when it was killed by a signal). */
  exitCode: number | null;
  /** The end of the child's stderr. */
  stderr: string;
}

/** A benchmark child process failed or printed no result line. */
export class BenchChildError extends PioError {
  /** The engine the child ran. */
  readonly engine: string;
  /** The weight storage it ran with. */
  readonly storage: string;
  /** The child's exit code. */
  readonly exitCode: number | null;
  /** The end of the child's stderr. */
  readonly stderr: string;

  constructor(fields: BenchChildFields, options: PioErrorOptions = {}) {
    const tail = fields.stderr.trim().split('\n').slice(-3).join(' | ');
    super(
      'PIO_BENCH_CHILD_FAILED',
      `The ${fields.engine} benchmark process (${fields.storage}) exited with ${fields.exitCode ?? 'a signal'} and no result` +
        `${tail ? `: ${tail}` : ''}. Fix the cause named there (the end of the child's stderr is in \`stderr\`), then rerun.`,
      options,
    );
    this.name = 'BenchChildError';
    this.engine = fields.engine;
    this.storage = fields.storage;
    this.exitCode = fields.exitCode;
    this.stderr = fields.stderr;
  }

  /** True when `error` is a {@link BenchChildError} from any copy of `@pio/bench`. */
  static override isInstance(error: unknown): error is BenchChildError {
    return PioError.isInstance(error) && error.code === 'PIO_BENCH_CHILD_FAILED';
  }
}
