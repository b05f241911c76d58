import { type PioProcess, startPioProcess } from './pio-process.js';

/** A `pio serve` child process that has said it is listening. */
export interface ServingPio extends PioProcess {
  /** The URL from its `listening on <url>` line, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}

/**
 * Starts `pio serve` with `args` (give `--port 0`) and resolves once it prints `listening on <url>`: a wait on that
 * line, not on a fixed time. Rejects with its stderr when it exits first or has not listened within `readyTimeoutMs`
 * (the models load first; the generous default only matters on a loaded machine), killing it in the second case.
 */
export async function servePio(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; readyTimeoutMs?: number } = {},
): Promise<ServingPio> {
  const child = startPioProcess(['serve', ...args], options);
  const listening = () => /listening on (\S+)/.exec(child.stdout())?.[1];
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const started = Date.now();
  let code: number | null | undefined;
  void child.exited.then((exit) => (code = exit));
  while (listening() === undefined) {
    if (code !== undefined) throw new Error(`pio serve exited with ${code} before listening; stderr:\n${child.stderr()}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`pio serve did not listen within ${timeoutMs} ms; stderr:\n${child.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { ...child, url: listening()! };
}

/**
 * Runs `use` against a `pio serve` started with `args` (see {@link servePio}), then stops it with SIGTERM and resolves
 * with its exit code. An error from `use` is rethrown with the server's stderr appended (the cause kept), after the stop.
 */
export async function withPioServe(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; readyTimeoutMs?: number },
  use: (pio: ServingPio) => Promise<void>,
): Promise<number | null> {
  const pio = await servePio(args, options);
  try {
    await use(pio);
  } catch (error) {
    pio.kill('SIGTERM');
    throw new Error(`${(error as Error).message}\npio serve stderr:\n${pio.stderr()}`, { cause: error });
  }
  pio.kill('SIGTERM');
  return pio.exited;
}
