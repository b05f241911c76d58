import { spawn } from 'node:child_process';
import { BenchChildError } from './errors/bench-child-error.js';
import type { BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';

const PREFIX = 'PIO_BENCH_RESULT ';

/** The line a benchmark child prints on stdout to hand its result back to {@link spawnBenchChild}. */
export function benchChildResultLine(result: BenchEngineResult): string {
  return `${PREFIX}${JSON.stringify(result)}`;
}

/** A program to start for each engine run, e.g. `{ command: process.execPath, args: [script] }`. */
export interface BenchChildCommand {
  command: string;
  /** Arguments before the request, which is appended as one JSON argument. */
  args: readonly string[];
  /** Variables added to this process's environment for the child. */
  env?: Readonly<Record<string, string>>;
}

/**
 * Runs `request` in a fresh process: `command ...args <request as JSON>`; the child runs {@link runBenchEngine} and
 * prints {@link benchChildResultLine}. One process per engine run keeps one copy of the weights in memory at a time
 * and gives each engine a clean heap. Failures are {@link BenchChildError}s; `signal` kills the child.
 */
export function spawnBenchChild(child: BenchChildCommand, request: BenchEngineRequest, signal?: AbortSignal): Promise<BenchEngineResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(child.command, [...child.args, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(child.env ? { env: { ...process.env, ...child.env } } : {}),
      ...(signal ? { signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
    proc.on('error', (cause) =>
      reject(
        signal?.aborted ? cause : new BenchChildError({ engine: request.engine, storage: request.storage, exitCode: null, stderr: String(cause) }, { cause }),
      ),
    );
    proc.on('close', (exitCode) => {
      const line = stdout.split('\n').find((l) => l.startsWith(PREFIX));
      if (exitCode === 0 && line) return resolve(JSON.parse(line.slice(PREFIX.length)) as BenchEngineResult);
      reject(new BenchChildError({ engine: request.engine, storage: request.storage, exitCode, stderr }));
    });
  });
}
