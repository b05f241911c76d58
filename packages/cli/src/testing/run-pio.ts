import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** The built `pio` binary. */
export const PIO_BIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'cli.js');

/**
 * Builds the packages the binary needs when their dist is missing (CI builds before testing). Test files run in
 * parallel processes, so one builds while the others wait on a lock folder.
 */
export function ensureBuilt(packages: readonly string[] = ['core', 'backend-tfjs', 'cli']): void {
  const built = (): boolean => existsSync(PIO_BIN) && packages.every((name) => existsSync(join(REPO_ROOT, 'packages', name, 'dist', 'index.js')));
  if (built()) return;
  const lock = join(REPO_ROOT, 'packages', 'cli', '.build-lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (built()) return;
    const filters = [...new Set([...packages, 'cli'])].flatMap((name) => ['--filter', `./packages/${name}`]);
    execFileSync('pnpm', [...filters, 'run', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
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
