import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vitest from 'vitest';

/** What a vitest runner tells of where it is (`TestRunner.getCurrentSuite`, vitest 4.1 and later). */
interface RunnerState {
  getCurrentSuite(): { file?: { result?: unknown } } | undefined;
}

/**
 * Creates a fresh, empty folder `<os temp dir>/<prefix>XXXXXX` and returns its real path (links resolved, so path
 * guards see the same path the test passes in). Its removal is registered with vitest, so no test leaves folders
 * behind in the temp dir:
 * - called inside a test, or a `beforeEach`/`afterEach` hook: removed when that test finishes (`onTestFinished`);
 * - called while vitest collects the file (at the top level of a test file, or in a `describe` body): removed after
 *   that file or suite (`afterAll`).
 *
 * Inside a `beforeAll`/`afterAll` hook vitest can register neither, so this throws there (vitest 4.1 and later tell
 * where it is called): create the folder at collection time instead, beside the `beforeAll` that fills it.
 *
 * @param prefix the folder name's start, e.g. `pio-manager-` (the temp dir is `os.tmpdir()`, `$TMPDIR` when set).
 * @example
 * ```ts
 * const dir = makeTempDir('pio-weights-');
 * beforeAll(async () => writeSafetensors(join(dir, 'model.safetensors'), tensors));
 * ```
 */
export function makeTempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  try {
    vitest.onTestFinished(remove);
    return dir;
  } catch {
    // not inside a test: collection time, or a suite hook
  }
  const runner = (vitest as { TestRunner?: RunnerState }).TestRunner;
  if (runner?.getCurrentSuite()?.file?.result !== undefined) {
    remove();
    throw new Error(
      `makeTempDir('${prefix}') was called inside a beforeAll/afterAll hook, where vitest cannot register the folder's removal: ` +
        'call it at the top level of the test file or in the describe body (collection time), or inside a test.',
    );
  }
  vitest.afterAll(remove);
  return dir;
}
