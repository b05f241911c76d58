import { PioError, type PioErrorOptions } from './pio-error.js';

/** One problem found in a configuration: where, what was expected, what was there. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `text_config.hidden_size` or `architectures[1]`; empty for the root. */
  readonly path: string;
  /** What the field should hold, e.g. `number`, `one of "silu" | "gelu"`, `> 0`. */
  readonly expected: string;
  /** A short description of the value found, e.g. `"abc"`, `-1`, `nothing (missing)`. */
  readonly found: string;
}

/** A configuration (a model's `config.json`, plugin or manager options) does not match its schema. */
export class InvalidConfigError extends PioError {
  /** Where the configuration came from, e.g. `/models/qwen/config.json` or `createPluginManager options`. */
  readonly source: string;
  /** Every problem found. */
  readonly issues: readonly ConfigIssue[];

  constructor(fields: { source: string; issues: readonly ConfigIssue[] }, options: PioErrorOptions = {}) {
    const lines = fields.issues.map((issue) => `  - ${issue.path === '' ? '(root)' : issue.path}: expected ${issue.expected}, found ${issue.found}`);
    const count = fields.issues.length === 1 ? '1 problem' : `${fields.issues.length} problems`;
    super('PIO_INVALID_CONFIG', `Invalid configuration in ${fields.source} (${count}):\n${lines.join('\n')}\nFix these fields and try again.`, options);
    this.name = 'InvalidConfigError';
    this.source = fields.source;
    this.issues = fields.issues.map((issue) => ({ ...issue }));
  }

  /** True when `error` is an {@link InvalidConfigError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is InvalidConfigError {
    return PioError.isInstance(error) && error.code === 'PIO_INVALID_CONFIG';
  }
}
