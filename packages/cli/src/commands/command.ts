import type { CliServices } from '../services/cli-services.js';
import type { Terminal, TextOutput } from '../render/terminal.js';

/** The process surroundings a command runs in (injectable for tests). */
export interface CliIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * Registers what Ctrl-C does while `listener` is registered (the latest registration wins);
   * returns the unregister function. With nothing registered, Ctrl-C ends the process.
   */
  onInterrupt(listener: () => void): () => void;
  /** Ends the process at once with `code` (a second Ctrl-C while the first is still being honoured). */
  exit(code: number): void;
  /** Resolves when SIGTERM (or SIGINT with no interrupt listener) asks the process to stop. */
  readonly stopRequested: Promise<string>;
}

/** What a command's `run` receives. */
export interface CommandContext {
  /** Arguments after the command name. */
  readonly args: readonly string[];
  readonly io: CliIo;
  /** Draws on stdout. */
  readonly out: Terminal;
  /** Draws status and errors on stderr. */
  readonly err: Terminal;
  readonly services: CliServices;
  /** `--verbose` was given. */
  readonly verbose: boolean;
  /** `--quiet` was given. */
  readonly quiet: boolean;
}

/** One `pio` subcommand. */
export interface CliCommand {
  /** Name typed after `pio`. */
  readonly name: string;
  /** One line for `pio --help`. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  /** Runs the command; resolves to the exit code. */
  run(context: CommandContext): Promise<number>;
}
