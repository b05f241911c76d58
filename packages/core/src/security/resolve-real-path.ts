import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The real absolute path of `path`: symlinks resolved with `fs.realpath`. When the path does not exist yet, the
 * deepest existing ancestor is resolved and the missing tail appended, so a path that would be created through
 * a symlinked folder is still seen where it really lands.
 */
export async function resolveRealPath(path: string): Promise<string> {
  const absolute = resolve(path);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return absolute;
      missing.push(basename(current));
      current = parent;
    }
  }
}
