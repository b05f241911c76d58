import { PioError } from '@pio/core';
import type { CliCommand, CliIo } from './commands/command.js';
import { benchCommand } from './commands/bench-command.js';
import { chatCommand } from './commands/chat-command.js';
import { doctorCommand } from './commands/doctor-command.js';
import { generateCommand } from './commands/generate-command.js';
import { infoCommand } from './commands/info-command.js';
import { listCommand } from './commands/list-command.js';
import { modelsCommand } from './commands/models-command.js';
import { newCommand } from './commands/new-command.js';
import { pullCommand } from './commands/pull-command.js';
import { serveCommand } from './commands/serve-command.js';
import { CliUsageError } from './errors/cli-usage-error.js';
import { Terminal } from './render/terminal.js';
import type { CliServices } from './services/cli-services.js';

/** Every `pio` command, in help order. */
export const COMMANDS: readonly CliCommand[] = [
  listCommand,
  modelsCommand,
  infoCommand,
  doctorCommand,
  pullCommand,
  generateCommand,
  chatCommand,
  serveCommand,
  benchCommand,
  newCommand,
];

const GLOBAL_FLAGS = new Set(['--verbose', '-v', '--quiet', '-q']);

/** Options of {@link runCli}. */
export interface RunCliOptions {
  io: CliIo;
  /** Creates the services lazily (so `--help` never loads PIO's machinery). */
  services: () => CliServices;
  /** Version printed by `pio --version`. */
  version: string;
}

/**
 * Runs `pio` with `argv` (without `node` and the script): dispatches to a command, prints failures as
 * one line on stderr (with the stack under `--verbose`), and resolves to the exit code.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions): Promise<number> {
  const { io } = options;
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  const rest = argv.filter((arg) => !GLOBAL_FLAGS.has(arg));
  const out = new Terminal(io.stdout, io.env, quiet);
  const err = new Terminal(io.stderr, io.env, quiet);
  const [name, ...args] = rest;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' ? COMMANDS.find((c) => c.name === args[0]) : undefined;
      out.line(target ? target.help : topHelp());
      return 0;
    }
    if (name === '--version') {
      out.line(options.version);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new CliUsageError('pio', `unknown command '${name}'`);
    if (args.includes('--help') || args.includes('-h')) {
      out.line(command.help);
      return 0;
    }
    return await command.run({ args, io, out, err, services: options.services(), verbose, quiet });
  } catch (error) {
    err.line(err.style('red', `pio: ${describe(error)}`));
    if (verbose && error instanceof Error && error.stack) {
      err.line(error.stack);
      for (let cause = (error as { cause?: unknown }).cause; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
        err.line(`Caused by: ${cause.stack ?? cause.message}`);
      }
    }
    return CliUsageError.isInstance(error) ? 2 : 1;
  }
}

function describe(error: unknown): string {
  const first = PioError.isInstance(error)
    ? (error.message.split('\n')[0] ?? error.code)
    : error instanceof Error
      ? (error.message.split('\n')[0] ?? error.name) || error.name
      : String(error);
  const root = systemCause(error);
  return root && !first.includes(root) ? `${first} (cause: ${root})` : first;
}

/** The message of the first system error (`ENOTFOUND`, `ECONNREFUSED`, `EACCES`...) among the causes, shown without -v. */
function systemCause(error: unknown): string | undefined {
  for (
    let cause = (error as { cause?: unknown })?.cause, depth = 0;
    cause instanceof Error && depth < 8;
    cause = (cause as { cause?: unknown }).cause, depth++
  ) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return cause.message.includes(code) ? cause.message : `${code}: ${cause.message}`;
  }
  return undefined;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `pio: run, chat with and serve PIO models

Usage: pio <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Global options:
  -h, --help     Help (also: pio <command> --help)
  -v, --verbose  Print stack traces on failure
  -q, --quiet    No status lines or progress bars
  --version      Print the version

Environment: PIO_API_KEY (serve), PIO_PLUGIN_PATH (extra plugin folders), PIO_TRUST (extra
trusted plugin packages, comma separated), PIO_MODELS_DIR, HF_HOME / HF_HUB_CACHE, HF_TOKEN, HF_ENDPOINT, HF_HUB_DOWNLOAD_TIMEOUT, NO_COLOR.`;
}
