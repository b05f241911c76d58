import { existsSync, readFileSync } from 'node:fs';

const TASKSET = '/usr/bin/taskset';

/** The first CPU this process may run on (Linux `/proc/self/status`), or undefined. */
function firstAllowedCpu(): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The command that runs Node with `argv` on one CPU: through `taskset` where it exists (Linux), so that
 * `os.availableParallelism()` is 1 in the child and `createBestBackend()`'s default — every core the process may use —
 * is one ggml thread; elsewhere plain Node.
 *
 * Why: ggml's CPU threads spin at each graph barrier, and on a loaded machine (CI on 2 shared cores) a second thread
 * waiting for a descheduled one made the tiny fixture models about 40x slower — structured-output.ts's 63-token answer
 * took 16 s instead of 0.4 s at load 6. The examples print the same text on one thread; what they show is unchanged.
 */
export function oneCoreNode(argv: readonly string[]): { command: string; args: string[] } {
  const cpu = process.platform === 'linux' && existsSync(TASKSET) ? firstAllowedCpu() : undefined;
  if (cpu !== undefined) return { command: TASKSET, args: ['-c', cpu, process.execPath, ...argv] };
  return { command: process.execPath, args: [...argv] };
}
