import { Readable } from 'node:stream';
import type { CliIo } from '../commands/command.js';

/** A {@link CliIo} over strings, with handles to what was written and to raise Ctrl-C / SIGTERM. */
export interface CapturedIo extends CliIo {
  readonly output: { stdout: string; stderr: string };
  /** Calls the current interrupt listener (Ctrl-C). */
  interrupt(): void;
  /** Resolves `stopRequested` (SIGTERM). */
  terminate(): void;
  /** Exit codes asked for through `exit` (a second Ctrl-C). */
  readonly exits: number[];
}

/** Creates a {@link CapturedIo}; `stdin` is the text piped in. */
export function captureIo(options: { stdin?: string | Readable; env?: Record<string, string>; cwd?: string; tty?: boolean } = {}): CapturedIo {
  const output = { stdout: '', stderr: '' };
  const listeners: Array<() => void> = [];
  let terminate!: () => void;
  const stopRequested = new Promise<string>((resolve) => (terminate = () => resolve('SIGTERM')));
  const stdin = typeof options.stdin === 'string' || options.stdin === undefined ? Readable.from([options.stdin ?? '']) : options.stdin;
  const exits: number[] = [];
  return {
    output,
    exits,
    exit: (code: number) => void exits.push(code),
    stdout: { write: (text: string) => (output.stdout += text), isTTY: options.tty ?? false, columns: 100 },
    stderr: { write: (text: string) => (output.stderr += text), isTTY: options.tty ?? false, columns: 100 },
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    onInterrupt(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    stopRequested,
    interrupt: () => listeners.at(-1)?.(),
    terminate: () => terminate(),
  };
}
