import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneCoreNode } from './one-core-node.js';

/** The examples folder. */
export const EXAMPLES_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** What an example printed. */
export interface ExampleRun {
  stdout: string;
  stderr: string;
}

/**
 * Runs an example as a real Node script (`node --conditions=@pio/source --import register-ts.mjs <file> ...args`)
 * in `cwd`, on one CPU (see {@link oneCoreNode}), and resolves with its output; rejects with the output when it exits
 * with an error.
 */
export function runExample(file: string, args: readonly string[], cwd: string): Promise<ExampleRun> {
  const register = join(EXAMPLES_DIR, '..', 'scripts', 'register-ts.mjs');
  const argv = ['--conditions=@pio/source', '--import', register, file, ...args];
  return new Promise((resolve, reject) => {
    const { command, args: nodeArgs } = oneCoreNode(argv);
    execFile(command, nodeArgs, { cwd, timeout: 180_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}
