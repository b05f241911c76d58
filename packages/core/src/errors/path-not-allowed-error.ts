import { PioError, type PioErrorOptions } from './pio-error.js';

/** A path was refused: it leaves the allowed roots (directly, through `..` or through a symlink). */
export class PathNotAllowedError extends PioError {
  /** The path as given. */
  readonly path: string;
  /** The resolved real path, when it could be resolved. */
  readonly resolvedPath: string | undefined;
  /** The allowed roots (real paths). */
  readonly allowedRoots: readonly string[];
  /** Why the path was refused. */
  readonly reason: 'parent-segment' | 'outside-roots' | 'no-roots';

  constructor(
    fields: { path: string; resolvedPath?: string; allowedRoots: readonly string[]; reason: 'parent-segment' | 'outside-roots' | 'no-roots' },
    options: PioErrorOptions = {},
  ) {
    const roots = fields.allowedRoots.length > 0 ? fields.allowedRoots.join(', ') : '(none)';
    const why = {
      'parent-segment': `"${fields.path}" contains a ".." segment, which is never allowed. Pass the folder's own path.`,
      'outside-roots':
        `"${fields.path}"` +
        (fields.resolvedPath !== undefined && fields.resolvedPath !== fields.path ? ` (really ${fields.resolvedPath})` : '') +
        ` is outside the allowed roots: ${roots}. Move the model under an allowed root or add its folder to allowedRoots.`,
      'no-roots': `"${fields.path}" cannot be read: no roots are allowed. Set allowedRoots.`,
    }[fields.reason];
    super('PIO_PATH_NOT_ALLOWED', `Path not allowed: ${why}`, options);
    this.name = 'PathNotAllowedError';
    this.path = fields.path;
    this.resolvedPath = fields.resolvedPath;
    this.allowedRoots = [...fields.allowedRoots];
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link PathNotAllowedError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is PathNotAllowedError {
    return PioError.isInstance(error) && error.code === 'PIO_PATH_NOT_ALLOWED';
  }
}
