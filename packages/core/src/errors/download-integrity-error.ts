import { PioError, type PioErrorOptions } from './pio-error.js';

/** A downloaded file's content does not match the hash the Hub published for it; the bad bytes were deleted. */
export class DownloadIntegrityError extends PioError {
  /** The repository, `org/name`. */
  readonly repoId: string;
  /** The file in the repository. */
  readonly file: string;
  /** `sha256` for LFS files, `git-sha1` (git blob id) for regular files. */
  readonly algorithm: 'sha256' | 'git-sha1';
  /** The hash published by the Hub. */
  readonly expected: string;
  /** The hash of the bytes received. */
  readonly actual: string;

  constructor(fields: { repoId: string; file: string; algorithm: 'sha256' | 'git-sha1'; expected: string; actual: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_DOWNLOAD_INTEGRITY',
      `${fields.repoId}/${fields.file}: downloaded content has ${fields.algorithm} ${fields.actual}, the Hub published ` +
        `${fields.expected}. The corrupted file was deleted; run the download again (check any proxy or mirror in between).`,
      options,
    );
    this.name = 'DownloadIntegrityError';
    this.repoId = fields.repoId;
    this.file = fields.file;
    this.algorithm = fields.algorithm;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }

  /** True when `error` is a {@link DownloadIntegrityError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is DownloadIntegrityError {
    return PioError.isInstance(error) && error.code === 'PIO_DOWNLOAD_INTEGRITY';
  }
}
