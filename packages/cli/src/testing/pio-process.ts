import { startPio } from './run-pio.js';

/** A `pio` child process started by {@link startPioProcess}; its output is collected as it arrives. */
export interface PioProcess {
  /** What it has written to stdout so far. */
  stdout(): string;
  /** What it has written to stderr so far. */
  stderr(): string;
  /** Its exit code; -1 when a signal ended it without one. */
  readonly exited: Promise<number | null>;
  /** Sends it `signal` (SIGTERM by default). */
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the built `pio` with `args`, collecting its output (see {@link PioProcess}). */
export function startPioProcess(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): PioProcess {
  const child = startPio(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { stdout: () => stdout, stderr: () => stderr, exited, kill: (signal = 'SIGTERM') => void child.kill(signal) };
}
