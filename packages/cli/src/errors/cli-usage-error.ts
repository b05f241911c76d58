import { PioError, type PioErrorOptions } from '@pio/core';

/** The command line was wrong: unknown command or flag, missing argument, or a value of the wrong kind. */
export class CliUsageError extends PioError {
  /** The command the error concerns, e.g. `generate`, or `pio` for the top level. */
  readonly command: string;

  constructor(command: string, message: string, options: PioErrorOptions = {}) {
    super('PIO_CLI_USAGE', `${message} (see \`pio ${command === 'pio' ? '' : `${command} `}--help\`)`, options);
    this.name = 'CliUsageError';
    this.command = command;
  }

  /** True when `error` is a {@link CliUsageError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is CliUsageError {
    return PioError.isInstance(error) && error.code === 'PIO_CLI_USAGE';
  }
}
