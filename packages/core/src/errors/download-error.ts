import { PioError, type PioErrorOptions } from './pio-error.js';

/** Why a download failed (see {@link DownloadError.problem}). */
export type DownloadProblem =
  /** The repository or revision does not exist (HTTP 404). */
  | 'not-found'
  /** The repository is private or gated (HTTP 401/403): an access token is needed. */
  | 'unauthorized'
  /** Another HTTP error, or the connection failed after all retries. */
  | 'http'
  /** The Hub answered something PIO cannot use (missing headers, wrong sizes, wrong commit). */
  | 'bad-response'
  /** No file of the repository matched the file filter. */
  | 'no-files'
  /** A file name from the Hub would be written outside the cache folder. */
  | 'unsafe-path';

/** Downloading a model from the Hugging Face Hub failed. */
export class DownloadError extends PioError {
  /** The repository, `org/name`. */
  readonly repoId: string;
  /** The kind of failure. */
  readonly problem: DownloadProblem;
  /** The file concerned, when there is one. */
  readonly file: string | undefined;
  /** The HTTP status, when there is one. */
  readonly status: number | undefined;

  constructor(fields: { repoId: string; problem: DownloadProblem; detail: string; file?: string; status?: number }, options: PioErrorOptions = {}) {
    const hints: Record<DownloadProblem, string> = {
      'not-found': 'Check the repository id and revision (they are case-sensitive).',
      unauthorized: 'The repository does not exist or is private or gated: check the id, accept its terms on the Hub and pass an access token.',
      http: 'Check the network connection and run the download again; it resumes where it stopped.',
      'bad-response': 'Run the download again; if it keeps failing, the Hub endpoint is not compatible.',
      'no-files': 'Widen the file filter.',
      'unsafe-path': 'The repository holds a file name PIO refuses to write; download it by other means.',
    };
    const what = fields.file === undefined ? fields.repoId : `${fields.repoId}/${fields.file}`;
    super('PIO_DOWNLOAD_FAILED', `Downloading ${what} failed: ${fields.detail}. ${hints[fields.problem]}`, options);
    this.name = 'DownloadError';
    this.repoId = fields.repoId;
    this.problem = fields.problem;
    this.file = fields.file;
    this.status = fields.status;
  }

  /** True when `error` is a {@link DownloadError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is DownloadError {
    return PioError.isInstance(error) && error.code === 'PIO_DOWNLOAD_FAILED';
  }
}
