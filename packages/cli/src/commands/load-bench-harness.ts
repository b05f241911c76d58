import { BenchHarnessMissingError } from '../errors/bench-harness-missing-error.js';

/** `@pio/bench`, the workspace's benchmark harness, as `pio bench --compare` uses it. */
export type BenchHarness = typeof import('@pio/bench');

/** Imports `@pio/bench` (tests inject one that fails). */
export type BenchHarnessImporter = () => Promise<unknown>;

/** Imports `@pio/bench` from the CLI's location: present in the PIO workspace (a development dependency), absent from a published install. */
export const importBenchHarnessHere: BenchHarnessImporter = () => import('@pio/bench');

/**
 * Loads the benchmark harness through `importer`. A missing `@pio/bench` (any published install of the CLI) is a
 * {@link BenchHarnessMissingError} that says where the comparison runs; other import failures are rethrown.
 */
export async function loadBenchHarness(importer: BenchHarnessImporter = importBenchHarnessHere): Promise<BenchHarness> {
  try {
    return (await importer()) as BenchHarness;
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((cause as Error).message).includes('@pio/bench')) {
      throw new BenchHarnessMissingError({ reason: 'it is not installed' }, { cause });
    }
    throw cause;
  }
}
