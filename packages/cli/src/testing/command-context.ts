import type { CommandContext } from '../commands/command.js';
import { Terminal } from '../render/terminal.js';
import { type CapturedIo, captureIo } from './capture-io.js';
import { createFakeServices } from './fake-services.js';

/**
 * The context `command.run` gets from `pio` for `args`, over captured io (`io.output` holds what was written) and the
 * fake services, with neither `--verbose` nor `--quiet`: for tests that run one command directly.
 */
export function commandContext(args: readonly string[], io: CapturedIo = captureIo()): CommandContext & { io: CapturedIo } {
  return { args, io, out: new Terminal(io.stdout, {}), err: new Terminal(io.stderr, {}), services: createFakeServices(), verbose: false, quiet: false };
}
