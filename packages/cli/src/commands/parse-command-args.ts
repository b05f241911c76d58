import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from '../errors/cli-usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` with usage errors turned into {@link CliUsageError}s naming the command. */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new CliUsageError(command, (cause as Error).message.split('\n')[0] ?? 'bad arguments', { cause });
  }
}

/** Parses a numeric flag (`int`: a safe integer), or throws a {@link CliUsageError} naming it. */
export function numberFlag(command: string, name: string, value: string | undefined, kind: 'int' | 'float' = 'float'): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || (kind === 'int' && !Number.isSafeInteger(number))) {
    throw new CliUsageError(command, `--${name} must be ${kind === 'int' ? 'an integer' : 'a number'}, got '${value}'`);
  }
  return number;
}
