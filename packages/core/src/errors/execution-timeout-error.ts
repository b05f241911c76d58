import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin execution ran longer than its time limit; the manager aborted it. */
export class ExecutionTimeoutError extends PioError {
  /** The plugin name. */
  readonly pluginName: string;
  /** The time limit in milliseconds. */
  readonly timeoutMs: number;

  constructor(fields: { pluginName: string; timeoutMs: number }, options: PioErrorOptions = {}) {
    super(
      'PIO_EXECUTION_TIMEOUT',
      `Execution of plugin "${fields.pluginName}" took longer than ${fields.timeoutMs} ms and was aborted. ` +
        `Ask for fewer new tokens, or raise the timeout (limits.timeoutMs or the call's timeoutMs).`,
      options,
    );
    this.name = 'ExecutionTimeoutError';
    this.pluginName = fields.pluginName;
    this.timeoutMs = fields.timeoutMs;
  }

  /** True when `error` is an {@link ExecutionTimeoutError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ExecutionTimeoutError {
    return PioError.isInstance(error) && error.code === 'PIO_EXECUTION_TIMEOUT';
  }
}
