import { execFile } from 'node:child_process';

/** Runs a program with arguments and resolves with its standard output; rejects when it is missing or fails. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

/**
 * The default {@link CommandRunner}: `execFile` without a shell, with a time limit.
 *
 * @param timeoutMs - kill the program after this many milliseconds (default 5000).
 */
export function createCommandRunner(timeoutMs = 5000): CommandRunner {
  return (command, args) =>
    new Promise((resolve, reject) => {
      execFile(command, [...args], { timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout);
      });
    });
}
