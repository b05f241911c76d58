import { PioError, type PioErrorOptions } from './pio-error.js';

/** Why a tokenizer could not be loaded. */
export type TokenizerLoadFailure = 'missing' | 'unreadable' | 'invalid-json' | 'unsupported';

/** A model's `tokenizer.json` or `tokenizer_config.json` is missing, unreadable, not JSON, or not a tokenizer PIO can run. */
export class TokenizerLoadError extends PioError {
  /** Path of the file (or the folder, for `unsupported`). */
  readonly path: string;
  /** What went wrong. */
  readonly reason: TokenizerLoadFailure;

  constructor(fields: { path: string; reason: TokenizerLoadFailure; detail?: string }, options: PioErrorOptions = {}) {
    const detail = fields.detail ? ` (${fields.detail})` : '';
    const what = {
      missing: `No tokenizer file at ${fields.path}. A Hugging Face model folder holds tokenizer.json and tokenizer_config.json; download both.`,
      unreadable: `Cannot read ${fields.path}${detail}. Check the file's permissions.`,
      'invalid-json': `${fields.path} is not valid JSON${detail}. Download the file again.`,
      unsupported: `The tokenizer in ${fields.path} cannot be built${detail}. Check that tokenizer.json is a Hugging Face "tokenizers" file (format of transformers >= 4.x).`,
    }[fields.reason];
    super('PIO_TOKENIZER_LOAD', what, options);
    this.name = 'TokenizerLoadError';
    this.path = fields.path;
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link TokenizerLoadError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is TokenizerLoadError {
    return PioError.isInstance(error) && error.code === 'PIO_TOKENIZER_LOAD';
  }
}
