import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt as buildStale } from '../../../../scripts/ensure-built.mjs';

/** The monorepo root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** The built `pio` binary. */
export const PIO_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'cli.js');

/** The CLI and the workspace packages its binary imports. */
const CLI_PACKAGES = ['core', 'backend-tfjs', 'backend-ggml', 'cli'];

/** How long a test hook may wait for {@link ensureBuilt}: a first build takes minutes on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Builds the packages the binary needs when their dist is missing or older than their sources, plus the CLI and its workspace dependencies (test
 * files run in parallel processes: one builds while the others wait on a lock, then find them fresh). Call it in a
 * `beforeAll` with {@link BUILD_TIMEOUT_MS}.
 */
export function ensureBuilt(packages: readonly string[] = []): void {
  buildStale([...new Set([...CLI_PACKAGES, ...packages])]);
}

/** Result of one `pio` run. */
export interface PioRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `pio` with `args`, feeding `stdin`, and collects its output. */
export function runPio(args: readonly string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<PioRun> {
  return new Promise((resolve, reject) => {
    const child = startPio(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Starts the built `pio` with `args` (no colours, not a terminal). */
export function startPio(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [PIO_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...options.env },
  });
}
