/** Progress of {@link downloadModel}, per file and in total (bytes). */
export interface DownloadProgress {
  /**
   * - `file-start`: a file begins (`resumedFrom` > 0 when bytes from an earlier attempt are kept);
   * - `progress`: bytes arrived;
   * - `retry`: the connection failed, the download continues from `fileBytes` with a Range request;
   * - `file-done`: the file is complete and verified (`cached` when it was already in the cache).
   */
  readonly type: 'file-start' | 'progress' | 'retry' | 'file-done';
  /** Path of the file in the repository. */
  readonly file: string;
  /** Bytes of this file on disk so far. */
  readonly fileBytes: number;
  /** Size of this file. */
  readonly fileTotalBytes: number;
  /** Bytes of all selected files on disk so far (cached files included). */
  readonly bytes: number;
  /** Size of all selected files. */
  readonly totalBytes: number;
  /** Files complete so far. */
  readonly filesDone: number;
  /** Files selected. */
  readonly filesTotal: number;
  /** `file-start`: bytes kept from an interrupted earlier download. */
  readonly resumedFrom?: number;
  /** `file-done`: true when the file was already in the cache. */
  readonly cached?: boolean;
}
