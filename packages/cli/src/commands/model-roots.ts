import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The model folders named on the command line (sources that are existing folders, resolved against `cwd`):
 * naming a folder allows the plugin to read it, wherever it is.
 */
export function modelRootsOf(cwd: string, sources: readonly string[]): string[] {
  return sources
    .map((source) => resolve(cwd, source))
    .filter((path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    });
}
