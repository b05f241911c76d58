import { PioError, type PioErrorOptions } from './pio-error.js';

/**
 * A JSON Schema given for structured output (`responseFormat`, a tool's parameters) uses a keyword or value that
 * constrained decoding cannot enforce, or is not a valid schema. The keyword is never silently ignored.
 */
export class UnsupportedSchemaError extends PioError {
  /** The keyword, e.g. `pattern`, `multipleOf` or `$ref`. */
  readonly keyword: string;
  /** JSON Pointer of the schema object holding it, e.g. `#/properties/tags/items` (`#` for the root). */
  readonly schemaPath: string;
  /** Why it cannot be used. */
  readonly reason: string;

  constructor(fields: { keyword: string; schemaPath: string; reason: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_UNSUPPORTED_SCHEMA',
      `JSON Schema keyword "${fields.keyword}" at ${fields.schemaPath} cannot be used for structured output: ${fields.reason}. ` +
        'Remove or rewrite it (docs/structured-output.md lists what is supported).',
      options,
    );
    this.name = 'UnsupportedSchemaError';
    this.keyword = fields.keyword;
    this.schemaPath = fields.schemaPath;
    this.reason = fields.reason;
  }

  /** True when `error` is an {@link UnsupportedSchemaError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is UnsupportedSchemaError {
    return PioError.isInstance(error) && error.code === 'PIO_UNSUPPORTED_SCHEMA';
  }
}
