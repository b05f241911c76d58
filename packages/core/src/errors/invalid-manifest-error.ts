import type { ConfigIssue } from './invalid-config-error.js';
import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin package's `pio` manifest (in its `package.json`) is missing or does not match the manifest schema. */
export class InvalidManifestError extends PioError {
  /** Path of the `package.json`. */
  readonly manifestPath: string;
  /** The npm package name, when known. */
  readonly packageName: string | undefined;
  /** Every problem found (paths start at the package.json root, e.g. `pio.entry`). */
  readonly issues: readonly ConfigIssue[];

  constructor(fields: { manifestPath: string; packageName?: string; issues: readonly ConfigIssue[] }, options: PioErrorOptions = {}) {
    const lines = fields.issues.map((issue) => `  - ${issue.path === '' ? '(root)' : issue.path}: expected ${issue.expected}, found ${issue.found}`);
    const pkg = fields.packageName === undefined ? '' : ` (package "${fields.packageName}")`;
    super(
      'PIO_INVALID_MANIFEST',
      `Invalid PIO plugin manifest in ${fields.manifestPath}${pkg}:\n${lines.join('\n')}\n` +
        `Fix the "pio" field of the package.json (see PluginManifest in @pio/core).`,
      options,
    );
    this.name = 'InvalidManifestError';
    this.manifestPath = fields.manifestPath;
    this.packageName = fields.packageName;
    this.issues = fields.issues.map((issue) => ({ ...issue }));
  }

  /** True when `error` is an {@link InvalidManifestError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is InvalidManifestError {
    return PioError.isInstance(error) && error.code === 'PIO_INVALID_MANIFEST';
  }
}
