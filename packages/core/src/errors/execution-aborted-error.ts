import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin call (activation or execution) was cancelled through its `AbortSignal` or by deactivation. */
export class ExecutionAbortedError extends PioError {
  /** The plugin name. */
  readonly pluginName: string;
  /** What was cancelled, e.g. `execution` or `activation`. */
  readonly operation: 'execution' | 'activation';

  constructor(fields: { pluginName: string; operation: 'execution' | 'activation'; reason?: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_EXECUTION_ABORTED',
      `The ${fields.operation} of plugin "${fields.pluginName}" was aborted${fields.reason ? ` (${fields.reason})` : ''}. ` +
        `Nothing needs to be done; start it again if it is still wanted.`,
      options,
    );
    this.name = 'ExecutionAbortedError';
    this.pluginName = fields.pluginName;
    this.operation = fields.operation;
  }

  /** True when `error` is an {@link ExecutionAbortedError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ExecutionAbortedError {
    return PioError.isInstance(error) && error.code === 'PIO_EXECUTION_ABORTED';
  }
}
